"""Texts shown or sent to parents (SMS, letters, errors) in lb, de, fr, en and pt (the
contract languages, csa-rules.md §8; pt is European Portuguese).

Keys are the ``code``/``reason`` of ``errors.py``; placeholders use ``str.format``.
Unknown languages fall back to French (an official language every parent's letter uses).
"""

from __future__ import annotations

from typing import Any

from csa_identity.domain.errors import IdentityError

LANGUAGES = ("lb", "de", "fr", "en", "pt")
FALLBACK_LANGUAGE = "fr"

CATALOGUE: dict[str, dict[str, str]] = {
    "sms.otp": {
        "lb": "Ären CSA-Code: {code}. E gëllt 60 Sekonnen. Gitt en kengem weider.",
        "de": "Ihr CSA-Code: {code}. Er gilt 60 Sekunden. Geben Sie ihn niemandem weiter.",
        "fr": "Votre code CSA : {code}. Il est valable 60 secondes. Ne le communiquez à personne.",
        "en": "Your CSA code: {code}. It is valid for 60 seconds. Do not share it.",
        "pt": "O seu código CSA: {code}. É válido durante 60 segundos. Não o partilhe com ninguém.",
    },
    "letter.mycard": {
        "lb": "IAM-Code vun Ärem Kand: {iam_code}. Linking-Code (eemoleg): {linking_code}.",
        "de": "IAM-Code Ihres Kindes: {iam_code}. Linking-Code (einmalig): {linking_code}.",
        "fr": "Code IAM de votre enfant : {iam_code}. Code de liaison (usage unique) : "
        "{linking_code}.",
        "en": "Your child's IAM code: {iam_code}. Linking code (single use): {linking_code}.",
        "pt": "Código IAM da criança: {iam_code}. Código de ligação (utilização única): "
        "{linking_code}.",
    },
    "letter.mycard.valid_until": {
        "lb": "D'myCard ass gëlteg bis den {valid_until} (Enn vun der Grondschoul).",
        "de": "Die myCard ist gültig bis zum {valid_until} (Ende der Grundschule).",
        "fr": "La myCard est valable jusqu'au {valid_until} (fin de l'enseignement fondamental).",
        "en": "The myCard is valid until {valid_until} (end of primary school).",
        "pt": "O myCard é válido até {valid_until} (fim do ensino fundamental).",
    },
    "letter.activation": {
        "lb": "Ären Aktivéierungscode: {code}. E gëllt bis den {valid_until}.",
        "de": "Ihr Aktivierungscode: {code}. Er gilt bis zum {valid_until}.",
        "fr": "Votre code d'activation : {code}. Il est valable jusqu'au {valid_until}.",
        "en": "Your activation code: {code}. It is valid until {valid_until}.",
        "pt": "O seu código de ativação: {code}. É válido até {valid_until}.",
    },
    "activation.letter_sent": {
        "lb": "Wann dësen IAM-Code existéiert, kritt Dir e Bréif mat engem Aktivéierungscode.",
        "de": "Wenn dieser IAM-Code existiert, erhalten Sie einen Brief mit einem "
        "Aktivierungscode.",
        "fr": "Si ce code IAM existe, vous recevrez une lettre avec un code d'activation.",
        "en": "If this IAM code exists, you will receive a letter with an activation code.",
        "pt": "Se este código IAM existir, receberá uma carta com um código de ativação.",
    },
    "login.failed": {
        "lb": "Umeldung feelgeschloen. Nom e puer Versich musst Dir e bëssi waarden.",
        "de": "Anmeldung fehlgeschlagen. Nach mehreren Versuchen müssen Sie kurz warten.",
        "fr": "Échec de la connexion. Après plusieurs essais, vous devez patienter un peu.",
        "en": "Login failed. After several attempts you have to wait a little.",
        "pt": "Não foi possível iniciar sessão. Após várias tentativas, terá de aguardar um pouco.",
    },
    "otp.wrong": {
        "lb": "Falsche Code. Probéiert nach eng Kéier.",
        "de": "Falscher Code. Bitte versuchen Sie es erneut.",
        "fr": "Code erroné. Veuillez réessayer.",
        "en": "Wrong code. Please try again.",
        "pt": "Código incorreto. Tente novamente.",
    },
    "otp.expired": {
        "lb": "De Code ass ofgelaf. Fänkt w.e.g. nach eng Kéier un.",
        "de": "Der Code ist abgelaufen. Bitte beginnen Sie von vorn.",
        "fr": "Le code a expiré. Veuillez recommencer.",
        "en": "The code has expired. Please start again.",
        "pt": "O código expirou. Recomece, por favor.",
    },
    "otp.used": {
        "lb": "Dëse Code gouf schonn benotzt.",
        "de": "Dieser Code wurde bereits verwendet.",
        "fr": "Ce code a déjà été utilisé.",
        "en": "This code has already been used.",
        "pt": "Este código já foi utilizado.",
    },
    "otp.exhausted": {
        "lb": "Ze vill falsch Versich mat dësem Code. Fänkt w.e.g. nach eng Kéier un.",
        "de": "Zu viele Fehlversuche mit diesem Code. Bitte beginnen Sie von vorn.",
        "fr": "Trop d'essais erronés avec ce code. Veuillez recommencer.",
        "en": "Too many wrong attempts with this code. Please start again.",
        "pt": "Demasiadas tentativas erradas com este código. Recomece, por favor.",
    },
    "lockout.active": {
        "lb": "Ze vill Versich. Probéiert et an {minutes} Minutten nach eng Kéier.",
        "de": "Zu viele Versuche. Versuchen Sie es in {minutes} Minuten erneut.",
        "fr": "Trop de tentatives. Réessayez dans {minutes} minutes.",
        "en": "Too many attempts. Try again in {minutes} minutes.",
        "pt": "Demasiadas tentativas. Tente novamente dentro de {minutes} minutos.",
    },
    "sms.rate_limited": {
        "lb": "Ze vill SMS an der leschter Zäit. Probéiert et an {minutes} Minutten nach eng "
        "Kéier.",
        "de": "Zu viele SMS in letzter Zeit. Versuchen Sie es in {minutes} Minuten erneut.",
        "fr": "Trop de SMS récemment. Réessayez dans {minutes} minutes.",
        "en": "Too many text messages recently. Try again in {minutes} minutes.",
        "pt": "Demasiados SMS nos últimos tempos. Tente novamente dentro de {minutes} minutos.",
    },
    "linking_code.rejected": {
        "lb": "Dësen IAM-Code oder Linking-Code ass net gëlteg.",
        "de": "Dieser IAM-Code oder Linking-Code ist nicht gültig.",
        "fr": "Ce code IAM ou ce code de liaison n'est pas valable.",
        "en": "This IAM code or linking code is not valid.",
        "pt": "Este código IAM ou código de ligação não é válido.",
    },
    "activation_code.rejected": {
        "lb": "Dësen Aktivéierungscode ass net (méi) gëlteg.",
        "de": "Dieser Aktivierungscode ist nicht (mehr) gültig.",
        "fr": "Ce code d'activation n'est pas (ou plus) valable.",
        "en": "This activation code is not (or no longer) valid.",
        "pt": "Este código de ativação não é (ou já não é) válido.",
    },
    "password.too_short": {
        "lb": "D'Passwuert muss mindestens 12 Zeechen hunn.",
        "de": "Das Passwort muss mindestens 12 Zeichen lang sein.",
        "fr": "Le mot de passe doit compter au moins 12 caractères.",
        "en": "The password must be at least 12 characters long.",
        "pt": "A palavra-passe deve ter pelo menos 12 caracteres.",
    },
    "password.too_long": {
        "lb": "D'Passwuert däerf héchstens 128 Zeechen hunn.",
        "de": "Das Passwort darf höchstens 128 Zeichen lang sein.",
        "fr": "Le mot de passe ne peut dépasser 128 caractères.",
        "en": "The password may be at most 128 characters long.",
        "pt": "A palavra-passe não pode ter mais de 128 caracteres.",
    },
    "password.common": {
        "lb": "Dëst Passwuert ass ze bekannt. Wielt w.e.g. en anert.",
        "de": "Dieses Passwort ist zu verbreitet. Bitte wählen Sie ein anderes.",
        "fr": "Ce mot de passe est trop courant. Veuillez en choisir un autre.",
        "en": "This password is too common. Please choose another one.",
        "pt": "Esta palavra-passe é demasiado comum. Escolha outra, por favor.",
    },
    "password.repetitive": {
        "lb": "D'Passwuert däerf keng Widderhuelung oder Zuelereeg sinn.",
        "de": "Das Passwort darf keine Wiederholung oder Zahlenfolge sein.",
        "fr": "Le mot de passe ne peut pas être une répétition ou une suite de chiffres.",
        "en": "The password must not be a repetition or a run of digits.",
        "pt": "A palavra-passe não pode ser uma repetição nem uma sequência de algarismos.",
    },
    "password.contains_iam_code": {
        "lb": "D'Passwuert däerf keen IAM-Code enthalen.",
        "de": "Das Passwort darf keinen IAM-Code enthalten.",
        "fr": "Le mot de passe ne peut pas contenir de code IAM.",
        "en": "The password must not contain an IAM code.",
        "pt": "A palavra-passe não pode conter um código IAM.",
    },
    "password.wrong_current": {
        "lb": "Äert aktuellt Passwuert ass net korrekt.",
        "de": "Ihr aktuelles Passwort ist nicht korrekt.",
        "fr": "Votre mot de passe actuel est incorrect.",
        "en": "Your current password is not correct.",
        "pt": "A sua palavra-passe atual está incorreta.",
    },
    "phone.invalid": {
        "lb": "Dës Handysnummer ass net gëlteg.",
        "de": "Diese Mobilnummer ist nicht gültig.",
        "fr": "Ce numéro de portable n'est pas valable.",
        "en": "This mobile number is not valid.",
        "pt": "Este número de telemóvel não é válido.",
    },
    "email.invalid": {
        "lb": "Dës E-Mail-Adress ass net gëlteg.",
        "de": "Diese E-Mail-Adresse ist nicht gültig.",
        "fr": "Cette adresse e-mail n'est pas valable.",
        "en": "This e-mail address is not valid.",
        "pt": "Este endereço de e-mail não é válido.",
    },
    "card.expired": {
        "lb": "Dës myCard ass ofgelaf.",
        "de": "Diese myCard ist abgelaufen.",
        "fr": "Cette myCard a expiré.",
        "en": "This myCard has expired.",
        "pt": "Este myCard expirou.",
    },
    "account.not_active": {
        "lb": "Äre Kont ass net aktiv. Frot w.e.g. en Aktivéierungscode un.",
        "de": "Ihr Konto ist nicht aktiv. Bitte fordern Sie einen Aktivierungscode an.",
        "fr": "Votre compte n'est pas actif. Veuillez demander un code d'activation.",
        "en": "Your account is not active. Please request an activation code.",
        "pt": "A sua conta não está ativa. Peça um código de ativação, por favor.",
    },
    "child.already_attached": {
        "lb": "Dëst Kand ass schonn un Äre Kont gebonnen.",
        "de": "Dieses Kind ist bereits mit Ihrem Konto verbunden.",
        "fr": "Cet enfant est déjà rattaché à votre compte.",
        "en": "This child is already attached to your account.",
        "pt": "Esta criança já está associada à sua conta.",
    },
    "child.not_attached": {
        "lb": "Dëst Kand ass net un Äre Kont gebonnen.",
        "de": "Dieses Kind ist nicht mit Ihrem Konto verbunden.",
        "fr": "Cet enfant n'est pas rattaché à votre compte.",
        "en": "This child is not attached to your account.",
        "pt": "Esta criança não está associada à sua conta.",
    },
    "child.last_one": {
        "lb": "Dat lescht Kand kann net vum Kont ewechgeholl ginn.",
        "de": "Das letzte Kind kann nicht vom Konto entfernt werden.",
        "fr": "Le dernier enfant ne peut pas être retiré du compte.",
        "en": "The last child cannot be removed from the account.",
        "pt": "A última criança não pode ser retirada da conta.",
    },
    "certificate.rejected": {
        "lb": "Dëse LuxTrust-Zertifikat ass net gëlteg.",
        "de": "Dieses LuxTrust-Zertifikat ist nicht gültig.",
        "fr": "Ce certificat LuxTrust n'est pas valable.",
        "en": "This LuxTrust certificate is not valid.",
        "pt": "Este certificado LuxTrust não é válido.",
    },
    "sms.unavailable": {
        "lb": "De SMS konnt elo net geschéckt ginn. Probéiert et an {minutes} Minutt nach eng "
        "Kéier.",
        "de": "Die SMS konnte gerade nicht gesendet werden. Versuchen Sie es in {minutes} "
        "Minute erneut.",
        "fr": "Le SMS n'a pas pu être envoyé. Réessayez dans {minutes} minute.",
        "en": "The text message could not be sent. Try again in {minutes} minute.",
        "pt": "Não foi possível enviar o SMS. Tente novamente dentro de {minutes} minuto.",
    },
    "session.invalid": {
        "lb": "Är Sessioun ass ofgelaf. Mellt Iech w.e.g. nei un.",
        "de": "Ihre Sitzung ist abgelaufen. Bitte melden Sie sich erneut an.",
        "fr": "Votre session a expiré. Veuillez vous reconnecter.",
        "en": "Your session has expired. Please log in again.",
        "pt": "A sua sessão expirou. Inicie sessão novamente, por favor.",
    },
    "mail.invoice.subject": {
        "lb": "CSA: nei Rechnung {number}",
        "de": "CSA: neue Rechnung {number}",
        "fr": "CSA : nouvelle facture {number}",
        "en": "CSA: new invoice {number}",
        "pt": "CSA: nova fatura {number}",
    },
    "mail.invoice.body": {
        "lb": "D'Rechnung {number} fir de Mount {month} ass ausgestallt. Ze bezuelen: "
        "{amount}. Dir fannt se an Ärem CSA-Kont.",
        "de": "Die Rechnung {number} für den Monat {month} wurde ausgestellt. Zu zahlen: "
        "{amount}. Sie finden sie in Ihrem CSA-Konto.",
        "fr": "La facture {number} du mois de {month} a été émise. Montant à payer : "
        "{amount}. Vous la trouverez dans votre compte CSA.",
        "en": "Invoice {number} for {month} has been issued. Amount to pay: {amount}. "
        "You will find it in your CSA account.",
        "pt": "A fatura {number} de {month} foi emitida. Montante a pagar: "
        "{amount}. Encontra-a na sua conta CSA.",
    },
    "mail.adjustment.subject": {
        "lb": "CSA: Korrektur-Rechnung {number}",
        "de": "CSA: Korrekturrechnung {number}",
        "fr": "CSA : facture rectificative {number}",
        "en": "CSA: adjustment invoice {number}",
        "pt": "CSA: fatura retificativa {number}",
    },
    "mail.adjustment.body": {
        "lb": "D'Korrektur-Rechnung {number} fir de Mount {month} ass ausgestallt. Betrag: "
        "{amount}. Dir fannt se an Ärem CSA-Kont.",
        "de": "Die Korrekturrechnung {number} für den Monat {month} wurde ausgestellt. "
        "Betrag: {amount}. Sie finden sie in Ihrem CSA-Konto.",
        "fr": "La facture rectificative {number} du mois de {month} a été émise. Montant : "
        "{amount}. Vous la trouverez dans votre compte CSA.",
        "en": "Adjustment invoice {number} for {month} has been issued. Amount: {amount}. "
        "You will find it in your CSA account.",
        "pt": "A fatura retificativa {number} de {month} foi emitida. Montante: "
        "{amount}. Encontra-a na sua conta CSA.",
    },
    "mail.expiry.subject": {
        "lb": "CSA: de Kontrakt leeft an {days} Deeg of",
        "de": "CSA: der Vertrag läuft in {days} Tagen ab",
        "fr": "CSA : le contrat expire dans {days} jours",
        "en": "CSA: the contract expires in {days} days",
        "pt": "CSA: o contrato expira dentro de {days} dias",
    },
    "mail.expiry.body": {
        "lb": "De CSA-Kontrakt vun Ärem Kand ass gëlteg bis den {valid_until}. Fir en ze "
        "verlängeren, gitt w.e.g. op Är Gemeng.",
        "de": "Der CSA-Vertrag Ihres Kindes gilt bis zum {valid_until}. Um ihn zu verlängern, "
        "wenden Sie sich bitte an Ihre Gemeinde.",
        "fr": "Le contrat CSA de votre enfant est valable jusqu'au {valid_until}. Pour le "
        "renouveler, adressez-vous à votre commune.",
        "en": "Your child's CSA contract is valid until {valid_until}. To renew it, please "
        "contact your municipality.",
        "pt": "O contrato CSA da sua criança é válido até {valid_until}. Para o renovar, "
        "dirija-se à sua comuna.",
    },
}


def message(key: str, language: str, **params: Any) -> str:
    """The text for ``key`` in ``language`` (fallback French), with ``params`` filled in."""
    texts = CATALOGUE[key]
    return texts.get(language, texts[FALLBACK_LANGUAGE]).format(**params)


def language_of(accept_language: str) -> str:
    """The first catalogue language an ``Accept-Language`` header names; else French."""
    for part in accept_language.split(","):
        tag = part.split(";")[0].strip().lower()[:2]
        if tag in LANGUAGES:
            return tag
    return "fr"


def error_message(error: IdentityError, language: str) -> str:
    """The parent-facing text of a domain error (its ``reason`` if catalogued, else ``code``)."""
    reason = getattr(error, "reason", None)
    key = reason if isinstance(reason, str) and reason in CATALOGUE else error.code
    if key not in CATALOGUE:
        key = "session.invalid" if key.startswith("session.") else "login.failed"
    retry_after = getattr(error, "retry_after", None)
    minutes = max(1, -(-int(retry_after.total_seconds()) // 60)) if retry_after else 1
    return message(key, language, minutes=minutes)
