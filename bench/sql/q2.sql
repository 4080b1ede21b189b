-- Q2, the customer 360, as our server answers it: an account, its first 20 contacts by last
-- name with emails, phones and consents, and its 10 newest notes. Every LIMIT comes before
-- the aggregation, so PostgreSQL builds JSON for the page only.
-- Parameters (pgbench -D or bench/floor.py): :account_id, a uuid.
SELECT json_build_object('data', json_build_object('account', (
  SELECT json_build_object(
    'name', a.name,
    'contacts', json_build_object('edges', COALESCE((
      SELECT json_agg(json_build_object(
               'jobTitle', page.job_title,
               'node', json_build_object(
                 'firstName', page.first_name, 'lastName', page.last_name,
                 'emails', (SELECT COALESCE(json_agg(json_build_object('address', e.value ->> 'address')
                                                     ORDER BY e.n), '[]')
                            FROM jsonb_array_elements(page.emails) WITH ORDINALITY AS e(value, n)),
                 'phones', (SELECT COALESCE(json_agg(json_build_object('number', p.value ->> 'number')
                                                     ORDER BY p.n), '[]')
                            FROM jsonb_array_elements(page.phones) WITH ORDINALITY AS p(value, n)),
                 'consents', (SELECT COALESCE(json_agg(json_build_object(
                                       'channel', s.channel, 'purpose', s.purpose, 'status', s.status)
                                     ORDER BY s.channel, s.purpose), '[]')
                              FROM consent s
                              WHERE s.contact_id = page.id AND s.archived_at IS NULL)))
             ORDER BY page.last_name, page.id)
      FROM (SELECT c.id, c.first_name, c.last_name, c.emails, c.phones, l.job_title
            FROM account_contact l JOIN contact c ON c.id = l.contact_id
            WHERE l.account_id = a.id AND l.archived_at IS NULL AND c.archived_at IS NULL
            ORDER BY c.last_name, c.id
            LIMIT 20) AS page), '[]')),
    'notes', json_build_object('nodes', COALESCE((
      SELECT json_agg(json_build_object('body', n.body, 'createdAt', n.created_at)
                      ORDER BY n.created_at DESC, n.id DESC)
      FROM (SELECT id, body, created_at FROM note
            WHERE record_id = a.id AND archived_at IS NULL
            ORDER BY created_at DESC, id DESC
            LIMIT 10) AS n), '[]')))
  FROM account a
  WHERE a.id = :account_id::uuid AND a.archived_at IS NULL)));
