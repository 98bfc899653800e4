"""Wording of the parent invoice, lb/de/fr/en/pt: labels, and one name per rule of a line.

A rule code the table does not know is printed as is, so a new rule never breaks a PDF.
"""

from __future__ import annotations

FALLBACK = "fr"

LABELS: dict[str, dict[str, str]] = {
    "lb": {
        "title": "Rechnung Chèque-Service Accueil",
        "adjustment_title": "Korrekturrechnung Chèque-Service Accueil",
        "number": "Nummer",
        "period": "Rechnungsperiod {month}: vum {start} bis den {end}",
        "corrects": "Korrigéiert d'Period {month} (Rechnung {original})",
        "child": "Kand",
        "week": "Woch",
        "provider": "Prestataire",
        "what": "Regel",
        "quantity": "Quantitéit",
        "unit_price": "Präis",
        "parent_rate": "Taux Elteren",
        "parent": "Elteren",
        "state": "Staat",
        "credit": "Gutschrëft",
        "debit": "Nei Rechnung",
        "parent_total": "Ze bezuelen vun den Elteren",
        "state_total": "Bezuelt vum Staat",
        "renew": "Äre Bäitrëttskontrakt leeft de {date} of: denkt drun, e fristgerecht ze "
        "erneieren.",
        "state_covers": "D'Kand ass an enger Institutioun placéiert: de Staat iwwerhëlt den Deel "
        "vun den Elteren, Dir hutt näischt ze bezuelen.",
        "explain": "Quantitéit: Stonnen oder Molzechten. Taux Elteren: Bäitrag vun den Elteren pro "
        "Stonn oder Molzecht no der Kategorie vum Akommes an dem Rang vum Kand.",
    },
    "de": {
        "title": "Rechnung Chèque-Service Accueil",
        "adjustment_title": "Korrekturrechnung Chèque-Service Accueil",
        "number": "Nummer",
        "period": "Abrechnungszeitraum {month}: vom {start} bis zum {end}",
        "corrects": "Berichtigt den Zeitraum {month} (Rechnung {original})",
        "child": "Kind",
        "week": "Woche",
        "provider": "Dienstleister",
        "what": "Regel",
        "quantity": "Menge",
        "unit_price": "Preis",
        "parent_rate": "Elternsatz",
        "parent": "Eltern",
        "state": "Staat",
        "credit": "Gutschrift",
        "debit": "Neuberechnung",
        "parent_total": "Von den Eltern zu zahlen",
        "state_total": "Vom Staat gezahlt",
        "renew": "Ihr Beitrittsvertrag läuft am {date} ab: bitte rechtzeitig erneuern.",
        "state_covers": "Das Kind ist in einer Einrichtung untergebracht: der Staat übernimmt den "
        "Elternanteil, Sie haben nichts zu zahlen.",
        "explain": "Menge: Stunden oder Mahlzeiten. Elternsatz: Beitrag der Eltern pro Stunde oder "
        "Mahlzeit nach Einkommenskategorie und Rang des Kindes.",
    },
    "fr": {
        "title": "Facture chèque-service accueil",
        "adjustment_title": "Facture rectificative chèque-service accueil",
        "number": "Numéro",
        "period": "Période de facturation {month} : du {start} au {end}",
        "corrects": "Rectifie la période {month} (facture {original})",
        "child": "Enfant",
        "week": "Semaine",
        "provider": "Prestataire",
        "what": "Règle",
        "quantity": "Quantité",
        "unit_price": "Prix",
        "parent_rate": "Taux parent",
        "parent": "Parents",
        "state": "État",
        "credit": "Avoir",
        "debit": "Nouveau calcul",
        "parent_total": "À payer par les parents",
        "state_total": "Payé par l'État",
        "renew": "Votre contrat d'adhésion expire le {date} : pensez à le renouveler à temps.",
        "state_covers": "Enfant placé en institution : l'État prend en charge la part des parents, "
        "vous n'avez rien à payer.",
        "explain": "Quantité : heures ou repas. Taux parent : participation des parents par heure "
        "ou par repas selon la catégorie de revenu et le rang de l'enfant.",
    },
    "en": {
        "title": "Chèque-service accueil invoice",
        "adjustment_title": "Chèque-service accueil adjustment invoice",
        "number": "Number",
        "period": "Billing period {month}: {start} to {end}",
        "corrects": "Corrects the period {month} (invoice {original})",
        "child": "Child",
        "week": "Week",
        "provider": "Provider",
        "what": "Rule",
        "quantity": "Quantity",
        "unit_price": "Price",
        "parent_rate": "Parent rate",
        "parent": "Parent",
        "state": "State",
        "credit": "Credit",
        "debit": "Recomputed",
        "parent_total": "To be paid by the parents",
        "state_total": "Paid by the State",
        "renew": "Your membership contract expires on {date}: remember to renew it in time.",
        "state_covers": "Child placed in an institution: the State covers the parents' share, "
        "you have nothing to pay.",
        "explain": "Quantity: hours or meals. Parent rate: the parents' contribution per hour or "
        "meal for the household's income category and the child's rank.",
    },
    "pt": {
        "title": "Fatura cheque-serviço acolhimento",
        "adjustment_title": "Fatura retificativa cheque-serviço acolhimento",
        "number": "Número",
        "period": "Período de faturação {month}: de {start} a {end}",
        "corrects": "Retifica o período {month} (fatura {original})",
        "child": "Criança",
        "week": "Semana",
        "provider": "Prestador",
        "what": "Regra",
        "quantity": "Quantidade",
        "unit_price": "Preço",
        "parent_rate": "Taxa pais",
        "parent": "Pais",
        "state": "Estado",
        "credit": "Crédito",
        "debit": "Novo cálculo",
        "parent_total": "A pagar pelos pais",
        "state_total": "Pago pelo Estado",
        "renew": "O seu contrato de adesão expira em {date}: não se esqueça de o renovar a tempo.",
        "state_covers": "Criança colocada numa instituição: o Estado assume a parte dos pais, "
        "nada tem a pagar.",
        "explain": "Quantidade: horas ou refeições. Taxa pais: contribuição dos pais por hora ou "
        "refeição segundo a categoria de rendimento e a posição da criança.",
    },
}

RULES: dict[str, dict[str, str]] = {
    "school_free": {
        "lb": "Gratis Betreiung an der Schoulzäit",
        "de": "Kostenlose Betreuung in der Schulzeit",
        "fr": "Accueil gratuit en période scolaire",
        "en": "Free school-time care",
        "pt": "Acolhimento gratuito em período escolar",
    },
    "plurilingual_free": {
        "lb": "Gratis Stonnen méisproocheg Erzéiung",
        "de": "Kostenlose Stunden mehrsprachige Bildung",
        "fr": "Heures gratuites éducation plurilingue",
        "en": "Plurilingual free hours",
        "pt": "Horas gratuitas educação plurilingue",
    },
    "tranche_1": {
        "lb": "Tranche 1",
        "de": "Tranche 1",
        "fr": "Tranche 1",
        "en": "Tranche 1",
        "pt": "Escalão 1",
    },
    "tranche_2": {
        "lb": "Tranche 2",
        "de": "Tranche 2",
        "fr": "Tranche 2",
        "en": "Tranche 2",
        "pt": "Escalão 2",
    },
    "tranche_3": {
        "lb": "Tranche 3",
        "de": "Tranche 3",
        "fr": "Tranche 3",
        "en": "Tranche 3",
        "pt": "Escalão 3",
    },
    "tranches": {
        "lb": "Präis iwwer dem Plafong vum Staat",
        "de": "Preis über der staatlichen Obergrenze",
        "fr": "Prix au-delà du plafond de l'État",
        "en": "Price above the state cap",
        "pt": "Preço acima do limite do Estado",
    },
    "price_above_cap": {
        "lb": "Präis iwwer dem Plafong vum Staat",
        "de": "Preis über der staatlichen Obergrenze",
        "fr": "Prix au-delà du plafond de l'État",
        "en": "Price above the state cap",
        "pt": "Preço acima do limite do Estado",
    },
    "unsupported": {
        "lb": "Stonnen iwwer 60 d'Woch (voll Präis)",
        "de": "Stunden über 60 pro Woche (voller Preis)",
        "fr": "Heures au-delà de 60 par semaine (plein tarif)",
        "en": "Hours beyond 60 a week (full price)",
        "pt": "Horas além de 60 por semana (preço total)",
    },
    "ap_off_hours": {
        "lb": "Zouschlag Nuecht/Weekend/Feierdag (Staat)",
        "de": "Zuschlag Nacht/Wochenende/Feiertag (Staat)",
        "fr": "Supplément nuit/week-end/jour férié (État)",
        "en": "Night/weekend/public-holiday supplement (State)",
        "pt": "Suplemento noite/fim de semana/feriado (Estado)",
    },
    "holiday_weekly_cap": {
        "lb": "Plafong vun 100 € an der Schoulvakanz",
        "de": "Obergrenze 100 € in den Schulferien",
        "fr": "Plafond de 100 € en vacances scolaires",
        "en": "100 € school-holiday weekly cap",
        "pt": "Limite de 100 € nas férias escolares",
    },
    "meal_category_rate": {
        "lb": "Haaptmolzecht",
        "de": "Hauptmahlzeit",
        "fr": "Repas principal",
        "en": "Main meal",
        "pt": "Refeição principal",
    },
    "meal_free_school_week": {
        "lb": "Gratis Molzecht an der Schoulzäit",
        "de": "Kostenlose Mahlzeit in der Schulzeit",
        "fr": "Repas gratuit en période scolaire",
        "en": "Free meal in a school week",
        "pt": "Refeição gratuita em período escolar",
    },
    "meal_free_holiday_low_income": {
        "lb": "Gratis Molzecht an der Vakanz (Akommes ënner 2 × SSM)",
        "de": "Kostenlose Mahlzeit in den Ferien (Einkommen unter 2 × SSM)",
        "fr": "Repas gratuit en vacances (revenu inférieur à 2 × SSM)",
        "en": "Free holiday meal (income below 2 × SSM)",
        "pt": "Refeição gratuita nas férias (rendimento inferior a 2 × SSM)",
    },
    "meal_free_rmg": {
        "lb": "Gratis Molzecht (REVIS)",
        "de": "Kostenlose Mahlzeit (REVIS)",
        "fr": "Repas gratuit (REVIS)",
        "en": "Free meal (REVIS)",
        "pt": "Refeição gratuita (REVIS)",
    },
    "meal_extra": {
        "lb": "Molzecht iwwer 5 d'Woch (voll Präis)",
        "de": "Mahlzeit über 5 pro Woche (voller Preis)",
        "fr": "Repas au-delà de 5 par semaine (plein tarif)",
        "en": "Meal beyond 5 a week (full price)",
        "pt": "Refeição além de 5 por semana (preço total)",
    },
    "no_contract": {
        "lb": "Ouni gëltege Kontrakt (voll Präis)",
        "de": "Ohne gültigen Vertrag (voller Preis)",
        "fr": "Sans contrat valable (plein tarif)",
        "en": "No valid contract (full price)",
        "pt": "Sem contrato válido (preço total)",
    },
    "institution_placement": {
        "lb": "Deel vun den Elteren: de Staat bezilt (Placement)",
        "de": "Elternanteil: zahlt der Staat (Unterbringung)",
        "fr": "Part des parents payée par l'État (placement)",
        "en": "Parent share paid by the State (placement)",
        "pt": "Parte dos pais paga pelo Estado (colocação)",
    },
    "other_charge": {
        "lb": "Aner Käschten (net ënnerstëtzt)",
        "de": "Sonstige Kosten (nicht gefördert)",
        "fr": "Autres frais (non subventionnés)",
        "en": "Other charge (not supported)",
        "pt": "Outros custos (não subsidiados)",
    },
}


def language_of(code: str) -> str:
    return code if code in LABELS else FALLBACK


def rule_name(rule: str, language: str) -> str:
    names = RULES.get(rule)
    return names[language_of(language)] if names else rule
