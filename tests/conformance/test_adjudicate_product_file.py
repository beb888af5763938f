"""`claimdesk adjudicate` prices claims against an exported product file: the definition
an insurer keeps in version control (PRD-2 versions, ADJ-MED)."""

from __future__ import annotations

import csv
import io
import json

from claimdesk.auth.principal import Principal
from claimdesk.conformance.adjudicate import main
from claimdesk.products.service import export_product
from tests.builders import demo_version

HEADER = (
    "claim_id,date_of_loss,policy_start,policy_end,settled_with_social_insurance,"
    "social_insurance_paid,other_compensation,catalog,kind,amount,self_pay_ratio\n"
)


def test_exported_million_medical_product_prices_a_claim(db, tmp_path, capsys):
    # SPEC ADJ-MED PRD-2: 10,000 deductible; 100% with social-insurance settlement.
    version = demo_version(db, "MED-MILLION")
    exported = export_product(db, actor=Principal.system("test"), product_id=version.product_id)
    product_file = tmp_path / "med.json"
    product_file.write_text(json.dumps(exported.model_dump(mode="json"), ensure_ascii=False))
    claims = tmp_path / "claims.csv"
    claims.write_text(
        HEADER
        + "M1,2026-06-01,2026-01-01,2026-12-31,true,5000.00,0.00,A,drug,30000.00,\n"
        + "M1,2026-06-01,2026-01-01,2026-12-31,true,5000.00,0.00,A,treatment,5000.00,\n",
        encoding="utf-8",
    )
    code = main(file=claims, product=product_file, output=None, trace=False)
    out, _ = capsys.readouterr()
    assert code == 0
    (row,) = list(csv.DictReader(io.StringIO(out)))
    # 35,000 eligible − 5,000 social insurance − 10,000 deductible = 20,000 × 100%.
    assert (row["claim_id"], row["payable"], row["deductible_applied"]) == (
        "M1",
        "20000.00",
        "10000.00",
    )


def test_unknown_version_in_product_file_is_a_clear_error(db, tmp_path, capsys):
    # SPEC GEN-6
    version = demo_version(db, "MED-MILLION")
    exported = export_product(db, actor=Principal.system("test"), product_id=version.product_id)
    product_file = tmp_path / "med.json"
    product_file.write_text(json.dumps(exported.model_dump(mode="json"), ensure_ascii=False))
    claims = tmp_path / "claims.csv"
    claims.write_text(HEADER, encoding="utf-8")
    code = main(file=claims, product=product_file, output=None, trace=False, version=99)
    _, err = capsys.readouterr()
    assert code == 2
    assert "version" in err
