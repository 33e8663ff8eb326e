SELECT pk, region, department, site, count() AS n, countIf(wd <= 15) AS within
FROM (SELECT pk, site, region, department,
        (5 * intDiv(c + 4, 7) + least((c + 4) % 7, 5)) - (5 * intDiv(r + 4, 7) + least((r + 4) % 7, 5))
          - arrayCount(h -> h > r AND h <= c, {holidays}) AS wd
      FROM (SELECT site, multiIf(completed_date >= '{p1from}' AND completed_date <= '{p1to}', 1, completed_date >= '{p2from}' AND completed_date <= '{p2to}', 2, completed_date >= '{p3from}' AND completed_date <= '{p3to}', 3, 0) AS pk, toInt64(received_date) AS r, toInt64(completed_date) AS c
            FROM {case_completions} WHERE ((completed_date >= '{p1from}' AND completed_date <= '{p1to}') OR (completed_date >= '{p2from}' AND completed_date <= '{p2to}') OR (completed_date >= '{p3from}' AND completed_date <= '{p3to}')) AND status = 'completed' AND entry = 'completion' AND kind = 'mail_reply') ANY LEFT JOIN (SELECT id AS site, region, department, toString(zone) AS zone FROM sites FINAL) USING site)
GROUP BY pk, region, department, site WITH ROLLUP
