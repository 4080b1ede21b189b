// graphql-http's audit of the GraphQL over HTTP spec against a running server.
//   CRM_TOKEN=$(.venv/bin/crm token --role admin) node bench/audit/audit.mjs [URL]
// Every request carries the token, since the API answers nothing without one.
import { auditServer } from 'graphql-http';

const url = process.argv[2] ?? 'http://127.0.0.1:8000/graphql';
const token = process.env.CRM_TOKEN;
if (!token) {
  console.error('Set CRM_TOKEN to a bearer token, e.g. CRM_TOKEN=$(.venv/bin/crm token --role admin)');
  process.exit(2);
}

function withToken(input, init = {}) {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${token}`);
  return fetch(input, { ...init, headers });
}

const results = await auditServer({ url, fetchFn: withToken });
const counts = { ok: 0, notice: 0, warn: 0, error: 0 };
for (const result of results) {
  counts[result.status] += 1;
  if (result.status !== 'ok') {
    console.log(`${result.status.toUpperCase()} ${result.name}\n  ${result.reason}`);
  }
}
console.log(`${results.length} audits: ${counts.ok} ok, ${counts.notice} notices, ${counts.warn} warnings, ` +
            `${counts.error} errors`);
process.exit(counts.error ? 1 : 0);
