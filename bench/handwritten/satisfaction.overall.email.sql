SELECT pk, region, department, site, count() AS n,
       countIf(s >= multiIf(sc = '1-5', 4, sc = '1-4', 3, 8)) AS satisfied
FROM (SELECT site, multiIf(answered_date >= '{p1from}' AND answered_date <= '{p1to}', 1, answered_date >= '{p2from}' AND answered_date <= '{p2to}', 2, answered_date >= '{p3from}' AND answered_date <= '{p3to}', 3, 0) AS pk, scores[indexOf(dimensions, 'overall')] AS s, toString(scale) AS sc
      FROM {survey_responses} WHERE ((answered_date >= '{p1from}' AND answered_date <= '{p1to}') OR (answered_date >= '{p2from}' AND answered_date <= '{p2to}') OR (answered_date >= '{p3from}' AND answered_date <= '{p3to}')) AND has(dimensions, 'overall') AND channel='email') ANY LEFT JOIN (SELECT id AS site, region, department, toString(zone) AS zone FROM sites FINAL) USING site
GROUP BY pk, region, department, site WITH ROLLUP
