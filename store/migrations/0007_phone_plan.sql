-- The government's phone plan (issue 14, item 1). Contacts gain two
-- outcomes (transferred: answered, then transferred; deflected: sent
-- elsewhere by the voice menu) and whether the caller asked for an agent;
-- sites gain their opening hours. Widening an Enum8 with new values keeps
-- the stored ones (a metadata change on 18.16 and current releases), so
-- running it again changes nothing. One column per ADD COLUMN: the
-- migrator skips a column that exists (18.16 has no IF NOT EXISTS).
ALTER TABLE contacts MODIFY COLUMN outcome Enum8('served' = 1, 'abandoned' = 2, 'no_show' = 3, 'redirected' = 4, 'overflow' = 5, 'transferred' = 6, 'deflected' = 7);
-- Contacts stored before read as asked on the phone, not elsewhere: the
-- default ingest gives a contact that does not say.
ALTER TABLE contacts ADD COLUMN asked_agent UInt8 DEFAULT toUInt8(channel = 'phone');
-- Opening hours as written (hours) and as week seconds from Monday 00:00
-- local time (open_from[i] ≤ t < open_to[i]), which the indicators read;
-- empty: no hours given, open at every hour.
ALTER TABLE sites ADD COLUMN hours String DEFAULT '';
ALTER TABLE sites ADD COLUMN open_from Array(UInt32);
ALTER TABLE sites ADD COLUMN open_to Array(UInt32);
