/** slow-call-in-view and the settings' mail backend: a queued backend makes sending mail in a view cheap. */
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { hintsFor } from "./helpers";

const VIEW = `from django.core.mail import send_mail
from django.http import HttpResponse


def contact(request):
    send_mail("Hello", "Body", "from@example.com", ["to@example.com"])
    return HttpResponse("sent")
`;

async function mailHints(settings: string): Promise<string[]> {
  const hints = await hintsFor({ "site/__init__.py": "", "site/settings.py": settings, "site/views.py": VIEW }, "site/views.py", "slow-call-in-view");
  return hints.map((h) => h.message);
}

describe("slow-call-in-view: the mail backend in settings", () => {
  it("reports send_mail with Django's SMTP backend", async () => {
    assert.equal((await mailHints(`EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"\n`)).length, 1);
  });

  for (const settings of [
    `EMAIL_BACKEND = "djcelery_email.backends.CeleryEmailBackend"\n`,
    `EMAIL_BACKEND = env("EMAIL_BACKEND", default="post_office.EmailBackend")\n`,
    `class Production:\n    CELERY_EMAIL_BACKEND = "myproject.smtp.EmailBackend"\n`,
  ]) {
    it(`is silent when mail is queued: ${settings.trim().split("\n").pop()!.trim()}`, async () => {
      assert.deepEqual(await mailHints(settings), []);
    });
  }
});
