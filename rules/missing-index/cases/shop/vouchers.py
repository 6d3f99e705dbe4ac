from .models import Voucher


def redeem(batch, code):
    # Refined at once by the unique code: the batch filter only checks the row it finds.
    vouchers = Voucher.objects.filter(batch=batch)
    vouchers = vouchers.filter(code=code)
    return vouchers.first()


def owned(owner_ref, code=None):
    # Refined only sometimes: owner_ref's lookup counts.
    vouchers = Voucher.objects.filter(owner_ref=owner_ref)
    if code:
        vouchers = vouchers.filter(code=code)
    return list(vouchers)


def redeem_logged(batch, code, log):
    # Refined by the unique code two statements later; the one between does not touch the queryset.
    vouchers = Voucher.objects.filter(batch=batch)
    log.append(f"redeeming {code} of batch {batch}")
    vouchers = vouchers.filter(code=code)
    return vouchers.first()
