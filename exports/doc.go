// Package exports will write the spreadsheets (excelize) and open-data files
// of indicator results: the agency and director workbooks, raw data and
// open data. It holds nothing yet: the exports issue builds it, reading
// figures only through indicators' Engine.Results so that a workbook shows
// exactly what the API shows.
package exports
