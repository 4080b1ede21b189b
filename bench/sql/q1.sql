-- Q1 as our server answers it: one contact's eight scalar fields.
-- Parameters (pgbench -D or bench/floor.py): :contact_id, a uuid.
SELECT json_build_object('data', json_build_object('contact', (
  SELECT json_build_object(
           -- Our global id: base64url of "Contact:<uuid>" without padding.
           'id', rtrim(translate(encode(convert_to('Contact:' || c.id, 'UTF8'), 'base64'),
                                 E'+/\n', '-_'), '='),
           'firstName', c.first_name, 'lastName', c.last_name,
           'lifecycleStage', c.lifecycle_stage, 'leadScore', c.lead_score,
           'createdAt', c.created_at, 'updatedAt', c.updated_at, 'version', c.version)
  FROM contact c
  WHERE c.id = :contact_id::uuid AND c.archived_at IS NULL)));
