from django.http import JsonResponse

from .models import Series


def series_choices(request):
    # str(row) and f"{row}" run Series.__str__, which reads the publisher: one query per row.
    choices = [(s.pk, str(s)) for s in Series.objects.all()]  # expect: n-plus-one
    labels = [f"{s}" for s in Series.objects.filter(pk__gt=0)]  # expect: n-plus-one
    return JsonResponse({"choices": choices, "labels": labels})


def joined_series_choices(request):
    # Joined: silent. (repr() and !r run __repr__, not __str__.)
    choices = [(s.pk, str(s)) for s in Series.objects.select_related("publisher")]
    reprs = [f"{s!r}" for s in Series.objects.all()]
    return JsonResponse({"choices": choices, "reprs": reprs})
