"""Three workbooks made the way offices make them (issue 25, item 5), each with the
hours a year its office worked out: a 市民課 業務量調査 (a title row, a two-row merged
header, full-width digits, a hidden 作業コード column, 「業務内容（作業）」, a row done for
fewer cases, 小計 and 合計 rows, a note under the table, a 年間時間 column, a 記入例
sheet); a 税務課 inventory (a 課名 column, a hidden code column, a column a month, a
小計 row); a 福祉課 workbook with a sheet a 係 and no 担当 column, 月平均件数, a time
header with no unit in hours, an ``h:mm`` cell and a hidden old sheet. Each builder
writes the workbook and returns the staff hours a year in the sheet."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path

from openpyxl import Workbook

MONTHS = [4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3]


def shimin(path: Path) -> float:
    wb = Workbook()
    ws = wb.active
    ws.title = "市民課"
    ws["A1"] = "令和8年度 業務量調査（市民課）"
    ws.append([])
    ws.append(["業務名", "作業コード", "業務内容（作業）", "担当", "年間件数", "1件あたり時間",
               None, "紙", "押印", "年間時間"])
    ws.append([None, None, None, None, None, "分", "時間", None, None, None])
    ws.merge_cells("F3:G3")
    for col in "ABCDEHIJ":
        ws.merge_cells(f"{col}3:{col}4")
    rows = [
        ["住民票の写しの交付", "S-01", "請求書を受け付けて本人確認", "窓口", "３６，０００", "３",
         None, "○", None, 1800],
        [None, "S-02", "住民票を印刷して交付", "窓口", None, "２", None, "○", None, 1200],
        [None, "S-03", "郵送請求を処理", "記録係", "1,200", None, "0.5", "○", "○", 600],
        [None, None, "小計", None, None, None, None, None, None, 3600],
        ["転入届", "T-01", "届出書を審査して受け付ける", "窓口", "4,800", "15", None, "○", "○",
         1200],
        [None, "T-02", "住民記録システムに入力", "記録係", None, "10", None, None, None, 800],
        ["合計", None, None, None, None, None, None, None, None, 5600],
    ]
    for row in rows:
        ws.append(row)
    ws.append([])
    ws.append(["※ 件数は令和7年度の実績。時間は担当者への聞き取りによる。"])
    ws.column_dimensions["B"].hidden = True
    example = wb.create_sheet("記入例")
    example.append(["業務名", "業務内容（作業）", "担当", "年間件数", "1件あたり時間(分)"])
    example.append(["例: 印鑑登録", "受付", "窓口", 100, 5])
    wb.save(path)
    return 5600.0  # the 合計 row's 年間時間


def zeimu(path: Path) -> float:
    wb = Workbook()
    ws = wb.active
    ws.title = "税務課"
    ws.append(["課名", "業務名", "作業コード", "業務内容（作業）", "担当", "時間(分)",
               *[f"{m}月" for m in MONTHS]])
    filing = [120, 80, 60, 60, 40, 40, 40, 40, 60, 300, 900, 1200]  # 申告 in Feb–Mar
    certificates = [30] * 12
    ws.append(["税務課", "市民税の賦課", "A-01", "申告書を受け付ける", "市民税係", 10, *filing])
    ws.append(["税務課", None, "A-02", "税額を計算して入力", "市民税係", 20, *[None] * 12])
    ws.append(["税務課", "固定資産税の証明", "B-01", "証明書を交付", "資産税係", 5,
               *certificates])
    ws.append(["税務課", "小計", None, None, None, None, *[None] * 12])
    ws.column_dimensions["C"].hidden = True
    wb.save(path)
    return sum(filing) * (10 + 20) / 60 + sum(certificates) * 5 / 60  # 1,500


def fukushi(path: Path) -> float:
    wb = Workbook()
    first = wb.active
    first.title = "児童福祉係"
    first.append(["業務名", "業務内容（作業）", "月平均件数", "1件あたり時間"])
    first.append(["児童手当の認定", "申請を受け付ける", 50, 0.25])
    first.append([None, "所得を確認", None, 1.5])
    second = wb.create_sheet("こども家庭係")
    second.append(["業務名", "業務内容（作業）", "月平均件数", "1件あたり時間(分)"])
    second.append(["児童手当の認定", "認定通知を作る", None, datetime.time(0, 20)])
    second["D2"].number_format = "h:mm"
    hidden = wb.create_sheet("旧様式")
    hidden.sheet_state = "hidden"
    hidden.append(["業務名", "工程", "件数", "時間(分)"])
    hidden.append(["古い業務", "受付", 100, 5])
    wb.save(path)
    return 50 * 12 * (15 + 90 + 20) / 60  # 1,250


OFFICES: dict[str, Callable[[Path], float]] = {"市民課": shimin, "税務課": zeimu,
                                                "福祉課": fukushi}
