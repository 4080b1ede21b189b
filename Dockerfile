# The API server. Migrations are a separate command: docker run … crm migrate
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    CRM_HOME=/var/lib/crm \
    CRM_ENV=prod

RUN useradd --system --create-home --home-dir /var/lib/crm crm

WORKDIR /app
# The dependencies as locked, every file checked against its hash; the embedded PostgreSQL
# (pgserver) is left out: an image always has a DATABASE_URL.
COPY requirements/runtime.txt requirements/runtime.txt
RUN pip install --no-cache-dir --require-hashes -r requirements/runtime.txt
COPY pyproject.toml README.md ./
COPY api api
COPY auth auth
COPY domain domain
COPY persistence persistence
RUN pip install --no-cache-dir --no-deps . && rm -rf /root/.cache

USER crm
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"
# DATABASE_URL must be set: an image never starts an embedded database.
CMD ["crm", "serve", "--host", "0.0.0.0", "--port", "8000"]
