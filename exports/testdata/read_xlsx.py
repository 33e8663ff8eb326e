"""Reads an xlsx with openpyxl and prints, as JSON, what the tests check:
per sheet its cells (value, number format, solid fill), conditional formats, charts,
tables, frozen panes, autofilter and print setup. Run with Debian's python3
(/usr/bin/python3), which has python3-openpyxl."""
import datetime
import json
import sys

import openpyxl


def plain(v):
    if isinstance(v, (datetime.datetime, datetime.date)):
        return v.isoformat()
    return v


def refs(series):
    val = series.val.numRef.f if series.val is not None and series.val.numRef is not None else None
    cat = None
    if series.cat is not None:
        if series.cat.strRef is not None:
            cat = series.cat.strRef.f
        elif series.cat.numRef is not None:
            cat = series.cat.numRef.f
    name = series.tx.strRef.f if series.tx is not None and series.tx.strRef is not None else None
    return {"values": val, "categories": cat, "name": name}


def main(path):
    wb = openpyxl.load_workbook(path)
    out = {"sheets": []}
    for ws in wb.worksheets:
        sheet = {"name": ws.title, "cells": {}, "conditional": [], "charts": [], "tables": {}}
        for row in ws.iter_rows():
            for c in row:
                if c.value is not None:
                    fill = c.fill.fgColor.rgb if c.fill is not None and c.fill.fill_type == "solid" else None
                    sheet["cells"][c.coordinate] = {"value": plain(c.value), "format": c.number_format, "type": c.data_type, "fill": fill}
        for cf in ws.conditional_formatting:
            for rule in cf.rules:
                fill = None
                if rule.dxf is not None and rule.dxf.fill is not None:
                    fill = rule.dxf.fill.fgColor.rgb if rule.dxf.fill.fgColor is not None else None
                    if fill in (None, "00000000") and rule.dxf.fill.bgColor is not None:
                        fill = rule.dxf.fill.bgColor.rgb
                sheet["conditional"].append({"range": str(cf.sqref), "type": rule.type, "formula": list(rule.formula or []), "fill": fill})
        for ch in ws._charts:
            sheet["charts"].append({"type": ch.tagname, "series": [refs(s) for s in ch.series]})
        for name, t in ws.tables.items():
            sheet["tables"][name] = t if isinstance(t, str) else t.ref
        sheet["freeze"] = ws.freeze_panes
        sheet["autofilter"] = ws.auto_filter.ref
        sheet["orientation"] = ws.page_setup.orientation
        sheet["paper"] = ws.page_setup.paperSize
        sheet["fit_width"] = ws.page_setup.fitToWidth
        sheet["fit_to_page"] = ws.sheet_properties.pageSetUpPr.fitToPage if ws.sheet_properties.pageSetUpPr is not None else None
        sheet["header"] = ws.oddHeader.left.text, ws.oddHeader.right.text
        sheet["footer"] = ws.oddFooter.left.text, ws.oddFooter.right.text
        out["sheets"].append(sheet)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])
