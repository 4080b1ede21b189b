-- Q3 as our server answers it: the first 50 contacts of a territory by last name, each with
-- its first 5 accounts by name.
-- Parameters (pgbench -D or bench/floor.py): :territory_id, a uuid.
SELECT json_build_object('data', json_build_object('contacts', json_build_object('nodes', COALESCE((
  SELECT json_agg(json_build_object(
           'id', rtrim(translate(encode(convert_to('Contact:' || c.id, 'UTF8'), 'base64'),
                                 E'+/\n', '-_'), '='),
           'firstName', c.first_name, 'lastName', c.last_name,
           'accounts', json_build_object('nodes', COALESCE((
             SELECT json_agg(json_build_object('name', acc.name) ORDER BY acc.name, acc.id)
             FROM (SELECT a.id, a.name
                   FROM account_contact l JOIN account a ON a.id = l.account_id
                   WHERE l.contact_id = c.id AND l.archived_at IS NULL AND a.archived_at IS NULL
                   ORDER BY a.name, a.id
                   LIMIT 5) AS acc), '[]')))
         ORDER BY c.last_name, c.id)
  FROM (SELECT id, first_name, last_name FROM contact
        WHERE territory_id = :territory_id::uuid AND archived_at IS NULL
        ORDER BY last_name, id
        LIMIT 50) AS c), '[]'))));
