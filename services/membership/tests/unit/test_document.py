"""Contract document content and PDF, in the five languages (csa-rules.md §3, §8)."""

from dataclasses import replace
from datetime import date
from io import BytesIO

import pytest
from membership_factories import ESCH_AGENT, SSM, contract_data
from pypdf import PdfReader

from csa_membership.documents.pdf import DEJAVU, render_contract_pdf
from csa_membership.domain.application import Language
from csa_membership.domain.child import Schooling
from csa_membership.domain.contract import Contract, file_application, sign
from csa_membership.domain.document import contract_document, question_office
from csa_membership.domain.document_texts import TEXTS
from csa_membership.domain.household import Household, Situation
from csa_shared.testing.pdf_checks import archival_pdf_text

FILED = date(2025, 3, 20)
EXPECTED = {
    # language: (tranche-2 row for lt_2_5 rank 2, start date, meal rate, annex word)
    Language.LB: ("Tranche 2: 21 Stonnen, 1,10 € d'Stonn", "3. Mäerz 2025", "1,50 €", "Annex"),
    Language.DE: ("Tranche 2: 21 Stunden, 1,10 € pro Stunde", "3. März 2025", "1,50 €", "Anhang"),
    Language.FR: ("Tranche 2 : 21 heures, 1,10 € de l'heure", "3 mars 2025", "1,50 €", "Annexe"),
    Language.EN: ("Tranche 2: 21 hours at €1.10 per hour", "3 March 2025", "€1.50", "Annex"),
    Language.PT: ("Escalão 2: 21 horas a 1,10 € por hora", "3 de março de 2025", "1,50 €", "Anexo"),
}


def plain(text: str) -> str:
    """Babel separates amount and currency with a no-break space."""
    return text.replace("\xa0", " ").replace("\u202f", " ")


def signed(language: Language, **changes: object) -> Contract:
    contract = file_application(
        contract_id="c-1",
        child_id="child-1",
        household_id="hh-1",
        data=contract_data(language=language, **changes),
        agent=ESCH_AGENT,
        filed_on=FILED,
        existing=(),
        ssm=SSM,
    )
    return sign(contract, signed_on=FILED, today=FILED)


@pytest.mark.parametrize("language", list(Language))
def test_document_states_lt_2_5_rank_2_tariffs_dates_and_annex(language: Language) -> None:
    row, start, meal, annex = EXPECTED[language]
    text = plain(contract_document(signed(language), on=FILED).text())
    assert row in text
    assert start in text
    assert meal in text
    assert annex in text
    assert "20" in text and "46" in text


def test_school_age_child_in_ge_4_5_gets_the_school_age_meal_rate_4_50() -> None:
    data_changes = {
        "schooling": Schooling.FUNDAMENTAL,
        "household": Household(Situation.LIVING_TOGETHER, income_declared=False),
    }
    document = contract_document(signed(Language.EN, **data_changes), on=FILED)
    assert "Parent contribution per main meal: €4.50" in document.text()
    assert "category undisclosed, rank 2" in document.text()


def test_institution_document_says_the_state_pays_everything() -> None:
    household = Household(Situation.INSTITUTION)
    text = contract_document(signed(Language.FR, household=household), on=FILED).text()
    assert "catégorie lt_4_5" in text
    assert "L'État prend en charge l'ensemble des frais" in text


def test_document_before_signature_validity_is_refused() -> None:
    from csa_membership.domain.errors import InvalidDate

    with pytest.raises(InvalidDate):
        contract_document(signed(Language.FR), on=date(2025, 3, 2))


@pytest.mark.parametrize("language", list(Language))
def test_pdf_text_extracts_back_in_each_language(language: Language) -> None:
    row, start, _, _ = EXPECTED[language]
    document = contract_document(signed(language), on=FILED)
    pdf = render_contract_pdf(document)
    assert pdf.startswith(b"%PDF")
    text = "\n".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)
    assert document.title in text
    assert start in text
    assert row.replace("€", "").split()[0] in text


def test_pdf_with_core_font_keeps_latin_1_letters() -> None:
    document = contract_document(signed(Language.LB), on=FILED)
    pdf = render_contract_pdf(document, font=None)
    text = PdfReader(BytesIO(pdf)).pages[0].extract_text()
    assert "Mäerz" in text
    assert "Bäitrëttskontrakt" in text


def test_dejavu_font_is_installed_on_this_machine() -> None:
    assert DEJAVU.exists()


TAGS = {
    Language.LB: ("lb-LU", "1. Mäerz 2026", "Gesetzleche Vertrieder"),
    Language.DE: ("de-LU", "1. März 2026", "Gesetzlicher Vertreter"),
    Language.FR: ("fr-LU", "1er mars 2026", "Représentant légal"),
    Language.EN: ("en-GB", "1 March 2026", "Legal representative"),
    Language.PT: ("pt-PT", "1 de março de 2026", "Representante legal"),
}


@pytest.mark.parametrize("language", list(Language))
def test_the_contract_pdf_is_archival_tagged_and_names_its_parties(language: Language) -> None:
    lang, expiry, representative = TAGS[language]
    document = contract_document(signed(language), on=FILED)

    pdf = render_contract_pdf(document)
    text = " ".join(plain(archival_pdf_text(pdf, lang=lang, title=document.title)).split())

    assert f"{representative}" in text and "Anna Muller" in text
    assert "12, rue de la Gare, L-4001 Esch-sur-Alzette" in text  # billing and home address
    assert expiry in text  # each language's date, "1er" in French
    assert "2,5 × SSM" in text or "2.5 × SSM" in text  # the category in words
    assert TEXTS[language]["office_commune"].format(commune="Esch-sur-Alzette") in text


def test_french_colons_take_a_narrow_no_break_space() -> None:
    text = contract_document(signed(Language.FR), on=FILED).text()
    assert "Tranche 2\u202f: 21 heures" in text and "Représentant légal\u202f: Anna" in text
    assert " :" not in text and "\u00a0:" not in text


def test_a_resident_asks_the_commune_a_non_resident_the_cae() -> None:
    words = TEXTS[Language.EN]
    resident = question_office(contract_data(), words)
    assert resident == "the chèque-service accueil office of the commune of Esch-sur-Alzette"
    non_resident = question_office(replace(contract_data(), resident=False), words)
    assert non_resident == "the Caisse pour l'avenir des enfants (CAE)"
