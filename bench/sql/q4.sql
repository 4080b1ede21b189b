-- Q4 as our server does it, in one statement: change a contact's first name at the version
-- read, bump the version, and write the audit entry, in one transaction.
-- A stale version updates nothing and answers STALE_VERSION, as our server does.
-- Parameters (bench/floor.py): :contact_id (uuid), :version (int), :first_name (text).
WITH current AS (
  SELECT id, first_name FROM contact
  WHERE id = :contact_id::uuid AND version = :version::int AND archived_at IS NULL
  FOR UPDATE),
changed AS (
  UPDATE contact c
  SET first_name = :first_name::text, version = c.version + 1, updated_at = now(),
      updated_by = 'bench-floor'
  FROM current WHERE c.id = current.id
  RETURNING c.id, c.version),
audited AS (
  INSERT INTO audit_entry (id, record_type, record_id, action, changes, created_by, updated_by)
  SELECT gen_random_uuid(), 'Contact', changed.id, 'update',
         jsonb_build_object('firstName', jsonb_build_object('before', current.first_name,
                                                            'after', :first_name::text)),
         'bench-floor', 'bench-floor'
  FROM changed, current)
SELECT json_build_object('data', json_build_object('contactUpdate', json_build_object(
  'contact', (SELECT json_build_object(
                'id', rtrim(translate(encode(convert_to('Contact:' || id, 'UTF8'), 'base64'),
                                      E'+/\n', '-_'), '='),
                'version', version) FROM changed),
  'errors', CASE WHEN EXISTS (SELECT 1 FROM changed) THEN '[]'::json
                 ELSE json_build_array(json_build_object(
                        'field', 'version', 'code', 'STALE_VERSION',
                        'message', 'The record changed since you read it.')) END)));
