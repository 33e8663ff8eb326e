SELECT pk, region, department, site, count() AS offered, countIf(outcome = 'served') AS served
FROM (SELECT site, multiIf(arrived_date >= '{p1from}' AND arrived_date <= '{p1to}', 1, arrived_date >= '{p2from}' AND arrived_date <= '{p2to}', 2, arrived_date >= '{p3from}' AND arrived_date <= '{p3to}', 3, 0) AS pk, outcome FROM {contacts}
      WHERE ((arrived_date >= '{p1from}' AND arrived_date <= '{p1to}') OR (arrived_date >= '{p2from}' AND arrived_date <= '{p2to}') OR (arrived_date >= '{p3from}' AND arrived_date <= '{p3to}')) AND channel = 'phone'
        AND NOT (outcome = 'abandoned' AND isNull(answered_at) AND toInt64(ended_at) - toInt64(arrived_at) < 5)) ANY LEFT JOIN (SELECT id AS site, region, department, toString(zone) AS zone FROM sites FINAL) USING site
GROUP BY pk, region, department, site WITH ROLLUP
