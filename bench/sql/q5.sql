-- Q5 as our server answers it: an account's timeline, the 50 newest activities of the account,
-- its contacts and its deals, newest first. The ids are gathered along three indexes first.
-- Parameters (pgbench -D or bench/floor.py): :account_id, a uuid.
SELECT json_build_object('data', json_build_object('timeline', json_build_object('nodes',
  COALESCE((
  SELECT json_agg(json_build_object(
           'id', rtrim(translate(encode(convert_to('Activity:' || t.id, 'UTF8'), 'base64'),
                                 E'+/\n', '-_'), '='),
           'kind', t.kind, 'at', t.at, 'subject', t.subject)
         ORDER BY t.at DESC, t.id)
  FROM (SELECT a.id, a.kind, a.at, a.subject FROM activity a
        WHERE a.archived_at IS NULL
          AND a.id = ANY(ARRAY(
            SELECT h.id FROM activity h WHERE h.account_id = :account_id::uuid
            UNION ALL
            SELECT h.id FROM account_contact l JOIN activity h ON h.contact_id = l.contact_id
            WHERE l.account_id = :account_id::uuid AND l.archived_at IS NULL
            UNION ALL
            SELECT h.id FROM opportunity o JOIN activity h ON h.opportunity_id = o.id
            WHERE o.account_id = :account_id::uuid))
        ORDER BY a.at DESC, a.id
        LIMIT 50) AS t), '[]'))));
