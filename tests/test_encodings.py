"""Encodings (issue 14, item 5): TOML with a byte-order mark; follow-up exports in the encodings Excel writes.

Before: a config saved with a UTF-8 BOM (Notepad, Excel) gave "not valid TOML: Invalid statement (at line 1,
column 1)", and a Latin-1 SUS export (Excel's plain "CSV" on a Swedish Windows) was refused.
"""

from __future__ import annotations

import codecs
import json
import tomllib

import pytest

import simsam
from simsam.cli import main
from simsam.config.followup import decode_export, read_followup, read_mapping

from .helpers import CONFIGS, DATA, ROOT

BOM = codecs.BOM_UTF8


# --- TOML -------------------------------------------------------------------------------------------------------------


def test_config_with_a_bom_is_read(tmp_path):
    """The config and the base it extends, each saved with a BOM, read as without."""
    for name in ("minimal.toml", "base.toml"):
        (tmp_path / name).write_bytes(BOM + (DATA / name).read_bytes())
    with_bom = simsam.load_config(tmp_path / "minimal.toml")
    without = simsam.load_config(DATA / "minimal.toml")
    assert with_bom.resolved_json() == without.resolved_json()
    text = (DATA / "minimal.toml").read_text(encoding="utf-8")
    assert simsam.loads("\ufeff" + text, folder=DATA).resolved_json() == without.resolved_json()  # text read elsewhere, BOM kept


def test_shipped_config_with_a_bom_validates(tmp_path, capsys):
    text = (CONFIGS / "samverkansteamet.toml").read_text(encoding="utf-8").replace('extends = "', f'extends = "{CONFIGS}/')
    (tmp_path / "s.toml").write_bytes(BOM + text.encode("utf-8"))
    assert main(["validate", str(tmp_path / "s.toml")]) == 0
    assert capsys.readouterr().out.startswith("ok: config Samverkansteamet: ")


def test_validate_knows_an_experiment_with_a_bom(tmp_path, capsys):
    exp = (ROOT / "experiments" / "samverkansteamet.toml").read_text(encoding="utf-8")
    (tmp_path / "e.toml").write_bytes(BOM + exp.replace('config = "../configs/', f'config = "{CONFIGS}/').encode("utf-8"))
    assert main(["validate", str(tmp_path / "e.toml")]) == 0
    assert capsys.readouterr().out.startswith("ok: experiment ")


def test_mapping_experiment_and_portfolio_files_with_a_bom(tmp_path):
    (tmp_path / "map.toml").write_bytes(BOM + (DATA / "evidence" / "small_map.toml").read_bytes())
    assert read_mapping(tmp_path / "map.toml").exit["ARB"] == "work"
    from simsam.analysis.portfolio import load_portfolio
    from simsam.workflows.experiment import load_experiment

    exp = (ROOT / "experiments" / "samverkansteamet.toml").read_text(encoding="utf-8")
    (tmp_path / "e.toml").write_bytes(BOM + exp.replace('config = "../configs/', f'config = "{CONFIGS}/').encode("utf-8"))
    assert load_experiment(tmp_path / "e.toml").name == "samverkansteamet"
    pf = (ROOT / "experiments" / "portfolio_seeds.toml").read_text(encoding="utf-8").replace('"../configs/', f'"{CONFIGS}/')
    (tmp_path / "p.toml").write_bytes(BOM + pf.encode("utf-8"))
    assert len(load_portfolio(tmp_path / "p.toml").projects) == 4


@pytest.mark.parametrize(
    "data, message",
    [
        ("[meta]\nname = 'x'\nlabel = 'Försörjningsstöd'\n".encode("latin-1"), "line 3 has the byte 0xf6 (save it as UTF-8)"),
        ("[meta]\nname = 'ö'\n".encode("utf-16"), "line 1 has the byte 0xff (UTF-16: save it as UTF-8)"),
        (BOM + "[meta]\nname = 'ö'\n".encode("cp1252"), "line 2 has the byte 0xf6 (save it as UTF-8)"),
    ],
)
def test_toml_that_is_not_utf8_names_the_line(data, message, tmp_path, capsys):
    (tmp_path / "c.toml").write_bytes(data)
    assert main(["validate", str(tmp_path / "c.toml")]) == 2
    assert capsys.readouterr().err == f"error: '{tmp_path / 'c.toml'}' is not UTF-8 text: {message}\n"


# --- follow-up exports -----------------------------------------------------------------------------------------------

CSV = """id;entry_date;exit_date;entry_status;exit_status;comment
L1;2020-01-15;2020-06-30;Försörjningsstöd;Arbete;
L2;2020-02-01;2020-08-15;Försörjningsstöd;Arbete;handläggare Åsa
L3;2020-03-01;2020-09-15;Sjukpenning;Studier;
L4;2020-03-10;2020-10-01;Ingen ersättning;Sjukskriven;"kostnad 500 €"
L5;2020-04-01;2020-11-01;Sjukpenning;Flyttat;
"""
MAP = """[entry]
"Försörjningsstöd" = "social_assistance"
"Sjukpenning" = "sickness_benefit"
"Ingen ersättning" = "none"
[exit]
"Arbete" = "work"
"Studier" = "improved"
"Sjukskriven" = "not_improved"
"Flyttat" = "exclude"
"""

ENCODINGS = [
    ("UTF-8", CSV.encode("utf-8")),
    ("UTF-8 with BOM", BOM + CSV.encode("utf-8")),
    ("UTF-16 (little-endian, with BOM)", CSV.encode("utf-16-le").join([codecs.BOM_UTF16_LE, b""])),
    ("UTF-16 (big-endian, with BOM)", codecs.BOM_UTF16_BE + CSV.encode("utf-16-be")),
    ("UTF-16 (little-endian, no BOM)", CSV.encode("utf-16-le")),
    ("Windows-1252", CSV.replace("\n", "\r\n").encode("cp1252")),  # the € is 0x80 in Windows-1252, absent from Latin-1
    ("Latin-1 (ISO-8859-1)", CSV.replace("€", "kr").encode("latin-1")),
]


@pytest.mark.parametrize("name, data", ENCODINGS, ids=[n for n, _ in ENCODINGS])
def test_follow_up_exports_in_every_encoding_excel_writes(name, data, tmp_path):
    (tmp_path / "map.toml").write_text(MAP, encoding="utf-8")
    (tmp_path / "sus.csv").write_bytes(data)
    fu = read_followup(tmp_path / "sus.csv", read_mapping(tmp_path / "map.toml"))
    assert fu.encoding == name
    assert [(p.id, p.entry_status, p.exit_status) for p in fu.participants] == [
        ("L1", "Försörjningsstöd", "Arbete"),
        ("L2", "Försörjningsstöd", "Arbete"),
        ("L3", "Sjukpenning", "Studier"),
        ("L4", "Ingen ersättning", "Sjukskriven"),
        ("L5", "Sjukpenning", "Flyttat"),
    ]
    assert fu.outcome_counts() == {"work": 2, "improved": 1, "not_improved": 1}


def test_the_encoding_is_reported(tmp_path, capsys):
    (tmp_path / "map.toml").write_text(MAP, encoding="utf-8")
    (tmp_path / "sus.csv").write_bytes(CSV.replace("€", "kr").encode("latin-1"))
    out = tmp_path / "out"
    assert main(["evidence", str(tmp_path / "sus.csv"), "--map", str(tmp_path / "map.toml"), "--out", str(out)]) == 0
    assert "read as Latin-1 (ISO-8859-1)" in capsys.readouterr().out
    assert "read as Latin-1 (ISO-8859-1)" in (out / "report.txt").read_text(encoding="utf-8")
    assert json.loads((out / "evidence.json").read_text(encoding="utf-8"))["encoding"] == "Latin-1 (ISO-8859-1)"
    snippet = tomllib.loads((out / "evidence.toml").read_text(encoding="utf-8"))
    assert snippet  # the snippet is UTF-8, whatever the export was


@pytest.mark.parametrize(
    "data, where",
    [
        (CSV.encode("utf-8").replace(b"L3;", b"L3\x81;"), "line 4 has the byte 0x81"),  # undefined in Windows-1252, not UTF-8
        (CSV.encode("cp1252").replace(b"L4;", b"L4\x00;"), "line 5 has the byte 0x00"),  # a NUL: not text
        (b"PK\x03\x04\x14\x00\x06\x00\x08\x00", "line 1 has the byte 0x03 (it looks like an Excel workbook)"),
        (BOM + "id\nL1 ö\n".encode("latin-1"), "line 2 has the byte 0xf6"),  # a BOM says UTF-8, the text is not
    ],
)
def test_an_export_in_no_known_encoding_names_the_line(data, where, tmp_path, capsys):
    (tmp_path / "map.toml").write_text(MAP, encoding="utf-8")
    (tmp_path / "sus.csv").write_bytes(data)
    out = tmp_path / "out"
    assert main(["evidence", str(tmp_path / "sus.csv"), "--map", str(tmp_path / "map.toml"), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"error: follow-up file '{tmp_path / 'sus.csv'}' is not text in UTF-8, UTF-16 or Windows-1252/Latin-1: {where}; "
        "save it from Excel as CSV UTF-8\n"
    )
    assert not out.exists()


def test_a_wrong_8_bit_guess_is_named_in_the_bad_rows(tmp_path):
    """A DOS (cp850) export reads as Windows-1252 with its letters mangled: the unknown codes say how the file was read."""
    (tmp_path / "map.toml").write_text(MAP, encoding="utf-8")
    (tmp_path / "sus.csv").write_bytes(CSV.replace("€", "kr").replace("Åsa", "Asa").encode("cp850"))  # (cp850's Å is no text in cp1252)
    from simsam.config.followup import BadRows

    with pytest.raises(BadRows) as info:
        read_followup(tmp_path / "sus.csv", read_mapping(tmp_path / "map.toml"))
    assert info.value.one_line().startswith(
        f"{tmp_path / 'sus.csv'}: 3 bad rows (nothing imported) (read as Windows-1252): line 2: entry_status 'F”rs”rjningsst”d' "
        "is not in the mapping's [entry] (did you mean 'Försörjningsstöd'?)"
    )


def test_decode_export_keeps_utf8_first():
    """Valid UTF-8 with Swedish letters is never taken for Windows-1252 (where it would also decode, as mojibake)."""
    text, name = decode_export("Försörjningsstöd".encode(), "x")
    assert (text, name) == ("Försörjningsstöd", "UTF-8")
    assert "Försörjningsstöd".encode().decode("cp1252") == "FÃ¶rsÃ¶rjningsstÃ¶d"
