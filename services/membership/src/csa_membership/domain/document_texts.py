"""Localised wording of the contract document (csa-rules.md §8), lb/de/fr/en/pt."""

from __future__ import annotations

from csa_membership.domain.application import Language
from csa_shared.rules.locales import BABEL_LOCALES

#: Babel locale per contract language.
LOCALES: dict[Language, str] = {language: BABEL_LOCALES[language.value] for language in Language}

TEXTS: dict[Language, dict[str, str]] = {
    Language.LB: {
        "representative": "Gesetzleche Vertrieder: {name}",
        "billing": "Rechnungsadress: {address}",
        "home": "Adress vum Kand: {address}",
        "category_name": "{code}: {name}",
        "questions_heading": "Froen a Korrekturen",
        "questions": "Fir eng Fro oder eng Korrektur vun dësem Kontrakt (Akommes, Adress, "
        "Stot): {office}.",
        "office_commune": "de Service Chèque-Service Accueil vun der Gemeng {commune}",
        "office_cae": "d'Caisse pour l'avenir des enfants (CAE)",
        "title": "Bäitrëttskontrakt Chèque-Service Accueil",
        "child": "Kand: {name}, gebuer den {birth}",
        "validity": "Gëlteg vum {start} bis den {end}",
        "tariffs": "Tariffer fir d'Kand (Kategorie {category}, Rang {rank})",
        "tranche": "Tranche {n}: {hours} Stonnen, {rate} d'Stonn",
        "meal": "Bäitrag vun den Elteren pro Haaptmolzecht: {rate}",
        "state_pays": "De Staat iwwerhëlt all d'Käschten (Kand an enger Institutioun).",
        "annex": "Annex: spezifesch Virdeeler no Alter",
        "plurilingual": "Méisproocheg Erzéiung: {hours} gratis Stonnen d'Woch fir Kanner vun 1 bis "
        "4 Joer an engem deelhuelende SEA, {weeks} Wochen am Joer.",
        "school": "Kanner an der Grondschoul: gratis Betreiung während der Schoulzäit, "
        "méindes bis freides vu 7 bis 19 Auer.",
        "meals": "Gratis Haaptmolzechten an der Schoulzäit fir Kanner an der Grondschoul; an "
        "der Vakanz nëmme bei engem Akommes ënner 2 Mol dem SSM.",
    },
    Language.DE: {
        "representative": "Gesetzlicher Vertreter: {name}",
        "billing": "Rechnungsadresse: {address}",
        "home": "Wohnadresse des Kindes: {address}",
        "category_name": "{code}: {name}",
        "questions_heading": "Fragen und Berichtigungen",
        "questions": "Für Fragen oder eine Berichtigung dieses Vertrags (Einkommen, Adresse, "
        "Haushalt): {office}.",
        "office_commune": "der Dienst Chèque-Service Accueil der Gemeinde {commune}",
        "office_cae": "die Caisse pour l'avenir des enfants (CAE)",
        "title": "Beitrittsvertrag Chèque-Service Accueil",
        "child": "Kind: {name}, geboren am {birth}",
        "validity": "Gültig vom {start} bis zum {end}",
        "tariffs": "Tarife für das Kind (Kategorie {category}, Rang {rank})",
        "tranche": "Tranche {n}: {hours} Stunden, {rate} pro Stunde",
        "meal": "Elternbeitrag pro Hauptmahlzeit: {rate}",
        "state_pays": "Der Staat übernimmt alle Kosten (Kind in einer Einrichtung).",
        "annex": "Anhang: altersspezifische Vorteile",
        "plurilingual": "Mehrsprachige Bildung: {hours} kostenlose Stunden pro Woche für Kinder "
        "von 1 bis 4 Jahren in einer teilnehmenden SEA, {weeks} Wochen im Jahr.",
        "school": "Kinder in der Grundschule: kostenlose Betreuung während der Schulzeit, "
        "montags bis freitags von 7 bis 19 Uhr.",
        "meals": "Kostenlose Hauptmahlzeiten während der Schulzeit für Grundschulkinder; in den "
        "Ferien nur bei einem Einkommen unter dem 2-fachen SSM.",
    },
    Language.FR: {
        "representative": "Représentant légal : {name}",
        "billing": "Adresse de facturation : {address}",
        "home": "Domicile de l'enfant : {address}",
        "category_name": "{code} : {name}",
        "questions_heading": "Questions et rectifications",
        "questions": "Pour toute question ou demande de rectification de ce contrat (revenu, "
        "adresse, ménage) : {office}.",
        "office_commune": "le service chèque-service accueil de votre commune ({commune})",
        "office_cae": "la Caisse pour l'avenir des enfants (CAE)",
        "title": "Contrat d'adhésion au chèque-service accueil",
        "child": "Enfant : {name}, né(e) le {birth}",
        "validity": "Valable du {start} au {end}",
        "tariffs": "Tarifs de l'enfant (catégorie {category}, rang {rank})",
        "tranche": "Tranche {n} : {hours} heures, {rate} de l'heure",
        "meal": "Participation des parents par repas principal : {rate}",
        "state_pays": "L'État prend en charge l'ensemble des frais (enfant placé en institution).",
        "annex": "Annexe : avantages spécifiques selon l'âge",
        "plurilingual": "Éducation plurilingue : {hours} heures gratuites par semaine pour les "
        "enfants de 1 à 4 ans dans un SEA participant, {weeks} semaines par an.",
        "school": "Enfants de l'enseignement fondamental : accueil gratuit pendant les périodes "
        "scolaires, du lundi au vendredi de 7h00 à 19h00.",
        "meals": "Repas principaux gratuits en période scolaire pour les enfants de "
        "l'enseignement fondamental ; pendant les vacances, seulement si le revenu est "
        "inférieur à 2 fois le SSM.",
    },
    Language.EN: {
        "representative": "Legal representative: {name}",
        "billing": "Billing address: {address}",
        "home": "Child's home address: {address}",
        "category_name": "{code}: {name}",
        "questions_heading": "Questions and rectifications",
        "questions": "For a question or to request a rectification of this contract (income, "
        "address, household): {office}.",
        "office_commune": "the chèque-service accueil office of the commune of {commune}",
        "office_cae": "the Caisse pour l'avenir des enfants (CAE)",
        "title": "Chèque-Service Accueil membership contract",
        "child": "Child: {name}, born {birth}",
        "validity": "Valid from {start} to {end}",
        "tariffs": "Tariffs for the child (category {category}, rank {rank})",
        "tranche": "Tranche {n}: {hours} hours at {rate} per hour",
        "meal": "Parent contribution per main meal: {rate}",
        "state_pays": "The State pays all costs (child placed in an institution).",
        "annex": "Annex: age-specific advantages",
        "plurilingual": "Plurilingual education: {hours} free hours per week for children aged "
        "1 to 4 at a participating SEA, {weeks} weeks a year.",
        "school": "Children in fundamental education: free care during school periods, "
        "Monday to Friday from 7:00 to 19:00.",
        "meals": "Free main meals during school periods for children in fundamental education; "
        "during holidays only for households below 2 times the SSM.",
    },
    Language.PT: {
        "representative": "Representante legal: {name}",
        "billing": "Morada de faturação: {address}",
        "home": "Morada da criança: {address}",
        "category_name": "{code}: {name}",
        "questions_heading": "Perguntas e retificações",
        "questions": "Para qualquer pergunta ou pedido de retificação deste contrato "
        "(rendimento, morada, agregado): {office}.",
        "office_commune": "o serviço cheque-serviço acolhimento do município de {commune}",
        "office_cae": "a Caisse pour l'avenir des enfants (CAE)",
        "title": "Contrato de adesão ao cheque-serviço acolhimento",
        "child": "Criança: {name}, nascida em {birth}",
        "validity": "Válido de {start} a {end}",
        "tariffs": "Tarifas da criança (categoria {category}, posição {rank})",
        "tranche": "Escalão {n}: {hours} horas a {rate} por hora",
        "meal": "Participação dos pais por refeição principal: {rate}",
        "state_pays": "O Estado suporta todos os custos (criança colocada numa instituição).",
        "annex": "Anexo: vantagens específicas segundo a idade",
        "plurilingual": "Educação plurilingue: {hours} horas gratuitas por semana para crianças "
        "de 1 a 4 anos num SEA participante, {weeks} semanas por ano.",
        "school": "Crianças no ensino fundamental: acolhimento gratuito durante os períodos "
        "escolares, de segunda a sexta-feira, das 7h00 às 19h00.",
        "meals": "Refeições principais gratuitas durante os períodos escolares para crianças no "
        "ensino fundamental; nas férias, apenas com rendimento inferior a 2 vezes o SSM.",
    },
}
