"""The demo's knowledge base: help-desk articles in English and Russian, some with history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from persistence.knowledge import ArticleFeedbackRow, ArticleRow, ArticleVersionRow
from persistence.seed.generator import stable_id, stamped


@dataclass(frozen=True)
class DemoArticle:
    key: str
    title: str
    category: str
    tags: tuple[str, ...]
    language: str
    visibility: str
    published: bool
    body: str
    # What earlier saves said, oldest first: (title, body).
    earlier: tuple[tuple[str, str], ...] = ()


def _a(key, title, category, tags, language, visibility, published, body, earlier=()):
    return DemoArticle(key, title, category, tuple(tags.split()), language, visibility,
                       published, body, earlier)


ARTICLES = (
    _a("reset-password", "Reset your password", "Account", "password login", "en", "PUBLIC",
       True, "Forgot your password? Choose **Forgot password** on the sign-in page and enter "
       "your work email. We send a reset link that is valid for 30 minutes.\n\nIf no email "
       "arrives, check your spam folder or ask your administrator to resend the invitation.",
       (("Password reset", "Use the reset link on the sign-in page."),)),
    _a("change-email", "Change the email address you sign in with", "Account", "email login",
       "en", "PUBLIC", True, "Open **Profile → Sign-in** and enter the new address. We send a "
       "confirmation link to it; the old address keeps working until you confirm."),
    _a("two-factor", "Turn on two-factor authentication", "Security", "2fa security login",
       "en", "PUBLIC", True, "Two-factor authentication asks for a code from an authenticator "
       "app at every sign-in. Open **Profile → Security**, scan the QR code, and enter the "
       "six-digit code to confirm. Keep the recovery codes somewhere safe."),
    _a("sso-saml", "Set up single sign-on with SAML", "Security", "sso saml okta azure",
       "en", "PARTNER", True, "Administrators can connect an identity provider such as Okta or "
       "Azure AD. Download our SAML metadata from **Settings → Single sign-on**, create an "
       "application in your provider, and paste its metadata URL back.\n\n- Map the `email` "
       "attribute\n- Test with one user before enforcing SSO for everyone",
       (("Single sign-on (SAML)", "Connect Okta or Azure AD under Settings."),
        ("Set up single sign-on", "Download the SAML metadata and upload it to your provider."))),
    _a("sso-troubleshooting", "Single sign-on fails with an invalid signature", "Security",
       "sso saml certificate", "en", "INTERNAL", True, "An *invalid signature* error almost "
       "always means the provider rotated its signing certificate. Ask the customer for the "
       "new metadata URL and re-import it; sessions already open are not affected."),
    _a("invoice-download", "Download an invoice as PDF", "Billing", "invoice pdf billing",
       "en", "PUBLIC", True, "Every invoice is under **Billing → Invoices**. Choose the "
       "invoice and **Download PDF**. Invoices from the last seven years are kept."),
    _a("invoice-details", "Change the company details on your invoices", "Billing",
       "invoice vat address", "en", "PUBLIC", True, "The legal name, address and VAT number "
       "printed on invoices come from **Billing → Company details**. Changes apply to the "
       "next invoice; we cannot reissue invoices that were already paid."),
    _a("payment-methods", "Pay by card, SEPA direct debit or bank transfer", "Billing",
       "payment card sepa", "en", "PUBLIC", True, "Cards are charged on the invoice date. "
       "SEPA direct debit needs a signed mandate, which you can create online. Bank transfers "
       "are possible for yearly plans over EUR 5,000."),
    _a("refund-policy", "Refunds and credit notes", "Billing", "refund credit", "en",
       "INTERNAL", True, "Service may issue a credit note of up to one month's fee without "
       "approval. Larger refunds need a finance lead. Always link the credit note to the case."),
    _a("api-limits", "API rate limits", "Developers", "api limits throttling", "en", "PUBLIC",
       True, "Each API token may send 100 requests per second, with bursts of up to 200. A "
       "request over the limit gets HTTP 429 with a `Retry-After` header; wait that many "
       "seconds and retry.",
       (("API limits", "Each token may send 50 requests per second."),)),
    _a("api-tokens", "Create and rotate API tokens", "Developers", "api token security", "en",
       "PARTNER", True, "Partners create tokens in the partner portal under **Integrations**. "
       "A token is shown once; store it in a secret manager. Rotate tokens every 90 days: "
       "create the new one, deploy it, then revoke the old one."),
    _a("webhooks", "Receive webhooks for record changes", "Developers",
       "webhooks api integration", "en", "PARTNER", True, "Webhooks POST a JSON payload to your "
       "endpoint whenever a record changes. Verify the `X-Signature` header with your shared "
       "secret, and answer with 2xx within ten seconds or we retry with back-off."),
    _a("graphql-paging", "Page through large lists with cursors", "Developers",
       "api graphql paging", "en", "PUBLIC", True, "Lists are Relay connections. Ask for "
       "`first: 100` and pass `pageInfo.endCursor` as `after` to get the next page; there is "
       "no offset, so deep pages stay fast."),
    _a("data-export", "Export all your data", "Data", "export csv gdpr", "en", "PUBLIC", True,
       "Administrators can export every record as CSV files from **Settings → Data export**. "
       "Large exports run in the background; we email a download link that is valid for "
       "seven days."),
    _a("data-import", "Import contacts from a spreadsheet", "Data", "import csv contacts",
       "en", "PUBLIC", True, "Save the spreadsheet as CSV in UTF-8. Under **Contacts → Import**, "
       "map each column to a field. Rows with an invalid email or phone are listed so that "
       "you can fix and re-import them."),
    _a("gdpr-erasure", "Handle a GDPR erasure request", "Data", "gdpr privacy erasure", "en",
       "INTERNAL", True, "Verify the requester's identity first. Then archive the contact, "
       "withdraw every consent, and open a task for engineering to purge backups within 30 "
       "days. Reply to the requester within one month."),
    _a("outlook-sync", "Connect your Outlook calendar", "Integrations",
       "outlook calendar sync", "en", "PUBLIC", True, "Subscribe to your personal iCalendar "
       "feed from Outlook: **Add calendar → From internet**, then paste the address from "
       "**Profile → Calendar feed**. Outlook refreshes it every few hours."),
    _a("slack-alerts", "Get deal alerts in Slack", "Integrations", "slack notifications",
       "en", "INTERNAL", False, "Draft: connecting the Slack app posts a message to a channel "
       "whenever a deal moves to Commit or is won. Waiting for the app review."),
    _a("mobile-offline", "Work offline in the mobile app", "Mobile", "mobile offline", "en",
       "PUBLIC", True, "The mobile app keeps your recent contacts and accounts on the device. "
       "Changes made offline are sent when the connection returns; conflicts are shown for "
       "you to resolve."),
    _a("partner-deal-registration", "Register a deal as a partner", "Partners",
       "partner deal registration", "en", "PARTNER", True, "Register a new opportunity from "
       "the partner portal before you send a quote. Our sales team approves or rejects it "
       "within two working days; approved deals are protected for 90 days."),
    _a("partner-margins", "Partner discount tiers", "Partners", "partner discount pricing",
       "en", "PARTNER", False, "Draft for the new programme: Silver partners get 15%, Gold 25% "
       "and Platinum 35% off list price on the first year."),
    _a("escalation-matrix", "When to escalate a case", "Service", "escalation sla", "en",
       "INTERNAL", True, "Escalate to the second line when a customer is blocked for more than "
       "four working hours, or at once for data loss or a security issue. Page the on-call "
       "engineer only for outages."),
    _a("status-page", "Check the service status", "Service", "status outage", "en", "PUBLIC",
       True, "Current incidents and planned maintenance are on our status page. Subscribe to "
       "updates by email or RSS."),
    _a("new-release-notes", "What is new in the spring release", "Product", "release news",
       "en", "PUBLIC", False, "Draft: forecasting by territory, faster lists, and a redesigned "
       "partner portal."),
    _a("ru-reset-password", "Сброс пароля", "Учётная запись", "пароль вход", "ru", "PUBLIC",
       True, "Забыли пароль? Нажмите **Забыли пароль** на странице входа и введите рабочий "
       "адрес электронной почты. Мы пришлём ссылку для сброса, она действует 30 минут.",
       (("Восстановление пароля", "Воспользуйтесь ссылкой на странице входа."),)),
    _a("ru-invoices", "Как скачать счёт в PDF", "Оплата", "счёт pdf оплата", "ru", "PUBLIC",
       True, "Все счета находятся в разделе **Оплата → Счета**. Выберите счёт и нажмите "
       "**Скачать PDF**. Счета хранятся семь лет."),
    _a("ru-payment", "Способы оплаты", "Оплата", "оплата карта", "ru", "PUBLIC", True,
       "Мы принимаем банковские карты и банковский перевод. Оплата картой списывается в день "
       "выставления счёта."),
    _a("ru-two-factor", "Двухфакторная аутентификация", "Безопасность", "безопасность вход",
       "ru", "PUBLIC", True, "Включите двухфакторную аутентификацию в разделе **Профиль → "
       "Безопасность**: отсканируйте QR-код приложением-аутентификатором и введите "
       "шестизначный код."),
    _a("ru-api-limits", "Ограничения API", "Разработчикам", "api ограничения", "ru", "PARTNER",
       True, "Каждый токен может отправлять до 100 запросов в секунду. При превышении лимита "
       "API отвечает кодом 429 и заголовком `Retry-After`."),
    _a("ru-data-export", "Экспорт данных", "Данные", "экспорт csv", "ru", "PUBLIC", True,
       "Администратор может выгрузить все записи в файлы CSV в разделе **Настройки → Экспорт "
       "данных**. Ссылка на архив действует семь дней."),
    _a("ru-sso", "Настройка единого входа (SSO)", "Безопасность", "sso saml", "ru", "PARTNER",
       True, "Подключите поставщика удостоверений, например Okta или Azure AD: скачайте "
       "метаданные SAML в разделе **Настройки → Единый вход** и загрузите их в настройки "
       "поставщика."),
    _a("ru-escalation", "Когда эскалировать обращение", "Поддержка", "эскалация sla", "ru",
       "INTERNAL", True, "Передавайте обращение на вторую линию, если клиент заблокирован "
       "дольше четырёх рабочих часов, и сразу — при потере данных или инциденте безопасности."),
    _a("ru-mobile", "Работа без сети в мобильном приложении", "Мобильное приложение",
       "мобильный офлайн", "ru", "PUBLIC", False, "Черновик: приложение хранит недавние "
       "контакты на устройстве и отправляет изменения, когда связь восстанавливается."),
)
# (article key, voter, helpful): the voters are demo staff and the demo customer.
VOTES = (
    ("reset-password", "Contact:customer", True), ("reset-password", "User:service", True),
    ("reset-password", "User:sales", False), ("invoice-download", "Contact:customer", True),
    ("api-limits", "User:admin", True), ("api-limits", "User:service", False),
    ("ru-reset-password", "Contact:customer", True), ("data-export", "User:analyst", True),
)


def _voter(text: str) -> str:
    kind, _, name = text.partition(":")
    if kind == "Contact":
        return f"Contact:{stable_id('contact', name)}"
    return f"User:{stable_id('user', f'{name}@example.com')}"


def add_articles(data, base_time: datetime) -> None:
    """The articles with their versions (the last is what each says now), and some votes."""
    author = f"User:{stable_id('user', 'service@example.com')}"
    votes: dict[str, list[bool]] = {}
    for key, voter, helpful in VOTES:
        votes.setdefault(key, []).append(helpful)
        data.add(ArticleFeedbackRow, {
            **stamped("article-feedback", f"{key}-{voter}", base_time, _voter(voter)),
            "article_id": stable_id("article", key), "actor": _voter(voter),
            "helpful": helpful})
    for n, article in enumerate(ARTICLES):
        created = base_time + timedelta(days=n)
        saves = [*article.earlier, (article.title, article.body)]
        content = {"category": article.category, "tags": list(article.tags),
                   "language": article.language, "visibility": article.visibility}
        for number, (title, body) in enumerate(saves, start=1):
            data.add(ArticleVersionRow, {
                **stamped("article-version", f"{article.key}-{number}",
                          created + timedelta(days=number - 1), author),
                "article_id": stable_id("article", article.key), "number": number,
                "title": title, "body": body, **content})
        changed = created + timedelta(days=len(saves) - 1)
        # Every save and the publication each took the article to its next version.
        data.add(ArticleRow, {
            **stamped("article", article.key, created, author), "updated_at": changed,
            "version": len(saves) + article.published, "title": article.title,
            "body": article.body, **content,
            "status": "PUBLISHED" if article.published else "DRAFT",
            "published_at": changed if article.published else None,
            "helpful_count": votes.get(article.key, []).count(True),
            "not_helpful_count": votes.get(article.key, []).count(False)})
