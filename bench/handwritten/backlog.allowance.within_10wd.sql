SELECT pk, region, department, site, count() AS n, countIf(age <= 10) AS within
FROM (SELECT pk, site, region, department, zone, r, dd,
        (5 * intDiv(dd + 4, 7) + least((dd + 4) % 7, 5)) - (5 * intDiv(r + 4, 7) + least((r + 4) % 7, 5))
          - arrayCount(h -> h > r AND h <= dd, {holidays}) AS age
      FROM (SELECT pk, site, region, department, zone, r, c, arrayElement(ds, pk) AS dd
            FROM (SELECT site, region, department, zone, r, c, ds
                  FROM (SELECT site, toInt64(received_date) AS r, if(entry = 'open', 65536, toInt64(completed_date)) AS c
                        FROM {case_completions}
                        WHERE (completed_date = toDate(0) OR completed_date > subtractDays(toDate('{p3to}'), 15)) AND entry IN ('open', 'completion')
                          AND received_date <= toDate('{p1to}') AND kind = 'allowance_payment')
                  ANY LEFT JOIN (SELECT id AS site, region, department, zone,
                                   arrayMap(k -> arrayElement(arrayFilter(x -> x >= toInt64(toDate(arrayElement(['{p1from}', '{p2from}', '{p3from}'], k))) AND (x + 4) % 7 < 5 AND NOT has({holidays}, x),
                                     arrayMap(i -> toInt64(toDate(arrayElement(['{p1to}', '{p2to}', '{p3to}'], k))) - i, range(15))), 1), [1, 2, 3]) AS ds
                                 FROM (SELECT id, region, department, toString(zone) AS zone FROM sites FINAL)) USING site)
            ARRAY JOIN arrayFilter(k -> arrayElement(ds, k) > 0 AND r <= arrayElement(ds, k) AND c > arrayElement(ds, k), [1, 2, 3]) AS pk)
      WHERE c > dd AND r <= dd)
GROUP BY pk, region, department, site WITH ROLLUP
