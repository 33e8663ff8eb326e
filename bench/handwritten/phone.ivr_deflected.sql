SELECT pk, region, department, site, count() AS deflected
FROM (SELECT pk, site, region, department,
             (toDayOfWeek(ad) - 1) * 86400 + multiIf(tz = 'America/Cayenne', toHour(ta, 'America/Cayenne') * 3600 + toMinute(ta, 'America/Cayenne') * 60,
                                                      tz = 'America/Guadeloupe', toHour(ta, 'America/Guadeloupe') * 3600 + toMinute(ta, 'America/Guadeloupe') * 60,
                                                      tz = 'America/Martinique', toHour(ta, 'America/Martinique') * 3600 + toMinute(ta, 'America/Martinique') * 60,
                                                      tz = 'Indian/Mayotte', toHour(ta, 'Indian/Mayotte') * 3600 + toMinute(ta, 'Indian/Mayotte') * 60,
                                                      tz = 'Indian/Reunion', toHour(ta, 'Indian/Reunion') * 3600 + toMinute(ta, 'Indian/Reunion') * 60,
                                                      toHour(ta, 'Europe/Paris') * 3600 + toMinute(ta, 'Europe/Paris') * 60) + toSecond(ta) + 1 AS w1,
             empty(open_from) OR (NOT has({holidays}, toInt64(ad))
                                  AND indexOf(arraySort(arrayPushBack(open_from, toUInt32(w1))), toUInt32(w1)) > indexOf(arraySort(arrayPushBack(open_to, toUInt32(w1))), toUInt32(w1))) AS open
      FROM (SELECT site, multiIf(arrived_date >= '{p1from}' AND arrived_date <= '{p1to}', 1, arrived_date >= '{p2from}' AND arrived_date <= '{p2to}', 2, arrived_date >= '{p3from}' AND arrived_date <= '{p3to}', 3, 0) AS pk, arrived_at AS ta, arrived_date AS ad FROM {contacts}
            WHERE ((arrived_date >= '{p1from}' AND arrived_date <= '{p1to}') OR (arrived_date >= '{p2from}' AND arrived_date <= '{p2to}') OR (arrived_date >= '{p3from}' AND arrived_date <= '{p3to}')) AND channel = 'phone' AND outcome = 'deflected')
      ANY LEFT JOIN (SELECT id AS site, region, department, toString(zone) AS zone, timezone AS tz, open_from, open_to FROM sites FINAL) USING site)
WHERE open
GROUP BY pk, region, department, site WITH ROLLUP
