SELECT pk, region, department, site, count() AS n, avg(w) AS asa
FROM (SELECT site, multiIf(arrived_date >= '{p1from}' AND arrived_date <= '{p1to}', 1, arrived_date >= '{p2from}' AND arrived_date <= '{p2to}', 2, arrived_date >= '{p3from}' AND arrived_date <= '{p3to}', 3, 0) AS pk, toInt64(answered_at) - toInt64(arrived_at) AS w
      FROM {contacts} WHERE ((arrived_date >= '{p1from}' AND arrived_date <= '{p1to}') OR (arrived_date >= '{p2from}' AND arrived_date <= '{p2to}') OR (arrived_date >= '{p3from}' AND arrived_date <= '{p3to}')) AND channel = 'phone' AND outcome IN ('served', 'transferred') AND isNotNull(answered_at)) ANY LEFT JOIN (SELECT id AS site, region, department, toString(zone) AS zone FROM sites FINAL) USING site
GROUP BY pk, region, department, site WITH ROLLUP
