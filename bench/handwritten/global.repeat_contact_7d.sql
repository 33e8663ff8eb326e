SELECT pk, region, department, site, count() AS n, sum(rep) AS repeats
FROM (SELECT k AS pk, site, arrayExists(u -> u > t AND u <= t + 604800, ts) AS rep
      FROM (SELECT groupArray(toInt64(arrived_at)) AS ts, groupArray(site) AS ss,
                   groupArray(if(outcome IN ('served', 'transferred'), multiIf(arrived_date >= '{p1from}' AND arrived_date <= '{p1to}', 1, arrived_date >= '{p2from}' AND arrived_date <= '{p2to}', 2, arrived_date >= '{p3from}' AND arrived_date <= '{p3to}', 3, 0), 0)) AS ks
            FROM {contacts} WHERE user_ref != '' AND ((arrived_date >= '{p1from}' AND arrived_date <= '{p1to8}') OR (arrived_date >= '{p2from}' AND arrived_date <= '{p2to8}') OR (arrived_date >= '{p3from}' AND arrived_date <= '{p3to8}')) GROUP BY user_ref)
      ARRAY JOIN ts AS t, ss AS site, ks AS k WHERE k > 0) ANY LEFT JOIN (SELECT id AS site, region, department, toString(zone) AS zone FROM sites FINAL) USING site
GROUP BY pk, region, department, site WITH ROLLUP
