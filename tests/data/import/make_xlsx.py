"""Write the consultation workbook used by the tests: a column per question (invented answers).

Run ``python tests/data/import/make_xlsx.py OUT.xlsx``; the tests call ``build(path)``.
"""

from __future__ import annotations

import datetime as dt
import sys

HEADER = ["Tidsstempel", "Navn", "1. Bør kommunen innføre gratis skolemat?",
          "2. Hva bør en skolelunsj inneholde?", "3. Should parents pay part of the cost?"]
ROWS = [
    [dt.datetime(2025, 1, 10, 9, 30), "Anne Lie", "Ja, det gir alle barn samme start.", "Brød, pålegg og frukt.",
     "No, it should be free for everyone."],
    [dt.datetime(2025, 1, 10, 9, 45), "Rune", "Nei, det er foreldrenes ansvar.", None, "Yes, a small amount."],
    [dt.datetime(2025, 1, 10, 10, 5), "Fatima Noor", "Ja og nei. Kanskje bare for de minste.",
     "Varm mat en gang i uka.", None],
    [dt.datetime(2025, 1, 11, 14, 0), None, None, None, None],
    [dt.datetime(2025, 1, 11, 15, 20), "Rune", "Nei, det er foreldrenes ansvar.", None, "Yes, a small amount."],
    [dt.datetime(2025, 1, 12, 8, 0), "Jens", 42, "Grønnsaker\nog fullkorn", "Maybe."],
]


def build(path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Svar"
    ws.append(HEADER)
    for row in ROWS:
        ws.append(row)
    wb.create_sheet("Notater").append(["Eksportert fra skjema"])
    wb.save(path)


if __name__ == "__main__":
    build(sys.argv[1] if len(sys.argv) > 1 else "skolemat.xlsx")
