-- Q6 as our server answers it: the first 20 live contacts whose custom field `tier` holds
-- :tier, in our default order (created_at, then id), each with its custom values as
-- name-value pairs in the order their fields were defined. The containment test is the one
-- the GIN index (jsonb_path_ops) on contact.custom_fields serves.
-- Parameters (pgbench -D or bench/floor.py): :tier, text.
SELECT json_build_object('data', json_build_object('contacts', json_build_object('nodes', COALESCE((
  SELECT json_agg(json_build_object(
           'id', rtrim(translate(encode(convert_to('Contact:' || c.id, 'UTF8'), 'base64'),
                                 E'+/\n', '-_'), '='),
           'firstName', c.first_name, 'lastName', c.last_name,
           'customFields', (
             SELECT COALESCE(json_agg(json_build_object('name', d.name,
                                                        'value', c.custom_fields -> d.name)
                                      ORDER BY d.created_at, d.name), '[]')
             FROM custom_field d
             WHERE d.kind = 'Contact' AND d.archived_at IS NULL AND c.custom_fields ? d.name))
         ORDER BY c.created_at, c.id)
  FROM (SELECT id, first_name, last_name, custom_fields, created_at FROM contact
        WHERE custom_fields @> jsonb_build_object('tier', :tier::text) AND archived_at IS NULL
        ORDER BY created_at, id
        LIMIT 20) AS c), '[]'))));
