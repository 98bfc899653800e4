"""Wording of the provider statement, lb/de/fr/en/pt (the invoice's is ``invoice_texts``);
another language falls back to French (``typography.FALLBACK``)."""

from __future__ import annotations

LABELS: dict[str, dict[str, str]] = {
    "lb": {
        "title": "Relevé vum Prestataire Chèque-Service Accueil",
        "number": "Nummer",
        "issued": "Ausgestallt den",
        "period": "Rechnungsperiod {month}: vum {start} bis den {end}",
        "child": "Kand",
        "corrects": "Period",
        "invoice": "Rechnung",
        "charged": "Gerechent",
        "parent": "Elteren",
        "state": "Staat",
        "total": "Total",
        "transfer": "De Staat iwwerweist {amount} op de Kont IBAN {iban}{bic}, mat der Referenz "
        "{number}.",
        "no_account": "De Staat iwwerweist {amount}: kee Kont ass am Register vun de "
        "Prestatairë gespäichert, deelt en der Gemeng oder der Agence mat.",
        "families": "D'Familljen bezuelen Iech hiren Deel ({amount}) op hir eege Rechnungen.",
        "questions": "Froen oder Demande vun enger Korrektur: d'Caisse pour l'avenir des "
        "enfants (CAE), mat der Nummer {number}.",
    },
    "de": {
        "title": "Abrechnung für Dienstleister Chèque-Service Accueil",
        "number": "Nummer",
        "issued": "Ausgestellt am",
        "period": "Abrechnungszeitraum {month}: vom {start} bis zum {end}",
        "child": "Kind",
        "corrects": "Zeitraum",
        "invoice": "Rechnung",
        "charged": "Berechnet",
        "parent": "Eltern",
        "state": "Staat",
        "total": "Summe",
        "transfer": "Der Staat überweist {amount} auf das Konto IBAN {iban}{bic} mit der "
        "Referenz {number}.",
        "no_account": "Der Staat überweist {amount}: im Dienstleisterregister ist kein Konto "
        "hinterlegt, bitte teilen Sie es der Gemeinde oder der Agentur mit.",
        "families": "Die Familien zahlen Ihnen ihren Anteil ({amount}) auf ihre eigenen "
        "Rechnungen.",
        "questions": "Fragen oder Antrag auf Berichtigung: die Caisse pour l'avenir des "
        "enfants (CAE), unter Angabe der Nummer {number}.",
    },
    "fr": {
        "title": "Relevé prestataire chèque-service accueil",
        "number": "Numéro",
        "issued": "Date d'émission",
        "period": "Période de facturation {month} : du {start} au {end}",
        "child": "Enfant",
        "corrects": "Période",
        "invoice": "Facture",
        "charged": "Facturé",
        "parent": "Parents",
        "state": "État",
        "total": "Total",
        "transfer": "L'État vire {amount} sur le compte IBAN {iban}{bic}, avec la référence "
        "{number}.",
        "no_account": "L'État vire {amount} : aucun compte n'est enregistré au registre des "
        "prestataires, communiquez-le à la commune ou à l'agence.",
        "families": "Les familles vous paient leur part ({amount}) sur leurs propres factures.",
        "questions": "Questions ou demande de rectification : la Caisse pour l'avenir des "
        "enfants (CAE), en indiquant le numéro {number}.",
    },
    "en": {
        "title": "Chèque-service accueil provider statement",
        "number": "Number",
        "issued": "Issued on",
        "period": "Billing period {month}: {start} to {end}",
        "child": "Child",
        "corrects": "Period",
        "invoice": "Invoice",
        "charged": "Charged",
        "parent": "Parents",
        "state": "State",
        "total": "Total",
        "transfer": "The State transfers {amount} to the account IBAN {iban}{bic}, with the "
        "reference {number}.",
        "no_account": "The State transfers {amount}: no account is on the provider registry, "
        "please give one to the commune or the agency.",
        "families": "The families pay you their share ({amount}) on their own invoices.",
        "questions": "Questions or a request for rectification: the Caisse pour l'avenir des "
        "enfants (CAE), quoting the number {number}.",
    },
    "pt": {
        "title": "Extrato do prestador cheque-serviço acolhimento",
        "number": "Número",
        "issued": "Emitido em",
        "period": "Período de faturação {month}: de {start} a {end}",
        "child": "Criança",
        "corrects": "Período",
        "invoice": "Fatura",
        "charged": "Faturado",
        "parent": "Pais",
        "state": "Estado",
        "total": "Total",
        "transfer": "O Estado transfere {amount} para a conta IBAN {iban}{bic}, com a "
        "referência {number}.",
        "no_account": "O Estado transfere {amount}: nenhuma conta está registada no registo "
        "dos prestadores, comunique-a ao município ou à agência.",
        "families": "As famílias pagam-lhe a sua parte ({amount}) nas suas próprias faturas.",
        "questions": "Perguntas ou pedido de retificação: a Caisse pour l'avenir des enfants "
        "(CAE), indicando o número {number}.",
    },
}
