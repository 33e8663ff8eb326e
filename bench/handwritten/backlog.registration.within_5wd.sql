SELECT pk, region, department, site, count() AS n, countIf(age <= 5) AS within
FROM (SELECT pk, site, region, department,
        (5 * intDiv(dd + 4, 7) + least((dd + 4) % 7, 5)) - (5 * intDiv(r + 4, 7) + least((r + 4) % 7, 5))
          - arrayCount(h -> h > r AND h <= dd, {holidays}) AS age
      FROM (SELECT pk, site, region, department, zone, r, c,
              arrayElement(arrayFilter(x -> x >= toInt64(toDate(arrayElement(['{p1from}', '{p2from}', '{p3from}'], pk))) AND (x + 4) % 7 < 5 AND NOT has({holidays}, x),
                arrayMap(i -> toInt64(toDate(arrayElement(['{p1to}', '{p2to}', '{p3to}'], pk))) - i, range(15))), 1) AS dd
            FROM (SELECT site, r, c, pk
                  FROM (SELECT site, toInt64(received_date) AS r, if(entry = 'open', 65536, toInt64(completed_date)) AS c
                        FROM case_completions FINAL
                        WHERE (completed_date = toDate(0) OR completed_date > subtractDays(toDate('{p3to}'), 15)) AND entry IN ('open', 'completion')
                          AND received_date <= toDate('{p1to}') AND kind = 'registration')
                  ARRAY JOIN [1, 2, 3] AS pk)
            ANY LEFT JOIN (SELECT id AS site, region, department, toString(zone) AS zone FROM sites FINAL) USING site)
      WHERE dd > 0 AND r <= dd AND c > dd)
GROUP BY pk, region, department, site WITH ROLLUP
