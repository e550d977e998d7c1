"""Small hand-written polarity word lists, used as *features* of the Hindi and Russian models.

Written for this package from general knowledge of the languages (no corpus text), aimed at the
posts a brief reads: praise and complaints about cafés, shops, banks, delivery and telecoms.
A word here does not decide a label: it adds one feature (``+lex`` or ``-lex``; the opposite one
inside a negation's scope) whose weight the model learns from labelled posts like any other.

An entry ending in ``*`` is a stem (a token starting with it matches; the longest stem wins),
else an exact word. Hindi entries and texts are compared without nukta and with chandrabindu as
anusvara (``fold_hindi``), so ``बढ़िया``/``बढिया`` and ``महँगा``/``महंगा`` meet.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

__all__ = ["HI_NEUTRAL_WORDS", "LEXICONS", "fold_hindi", "polarity", "word_rows"]

_HI_POSITIVE = """
अच्छा अच्छी अच्छे अच्छाई बढ़िया बेहतरीन बेहतर शानदार उत्कृष्ट उम्दा लाजवाब कमाल बेमिसाल जबरदस्त ज़बरदस्त
सुंदर सुन्दर खूबसूरत स्वादिष्ट लज़ीज़ मज़ेदार मजेदार मज़ा मजा मस्त झक्कास प्यारा प्यारी प्यारे प्यार पसंद पसन्द
खुश खुशी प्रसन्न संतुष्ट सन्तुष्ट धन्यवाद शुक्रिया आभार आभारी शुभकामनाएं शुभकामनाएँ बधाई मुबारक सर्वश्रेष्ठ
श्रेष्ठ उत्तम वाह आसान सुविधाजनक सस्ता सस्ती सस्ते किफायती भरोसेमंद विश्वसनीय ईमानदार सराहनीय तारीफ़ तारीफ
प्रशंसा मददगार विनम्र साफ़ साफ स्वच्छ ताज़ा ताजा ताज़ी ताजी गरमागरम सुखद सुकून राहत अद्भुत शुक्रगुज़ार
बेस्ट सुपर नाइस गुड अमेज़िंग ऑसम परफेक्ट फास्ट लव थैंक्स थैंक्यू थैंक शाबाश जय सफल सफलता
"""

_HI_NEGATIVE = """
बुरा बुरी बुरे खराब ख़राब खराबी बेकार घटिया बकवास बेहूदा गंदा गंदी गंदे गन्दा गन्दी बदबू बदबूदार बासी
धीमा धीमी धीमे स्लो देर देरी लेट महंगा महंगी महंगे महँगा लूट लूटा लूटते लूटी ठगी ठग ठगा ठगे धोखा
धोखेबाज धोखाधड़ी फ्रॉड फर्जी नकली चोर चोरी बर्बाद बरबाद नुकसान घाटा परेशान परेशानी परेशानियां दिक्कत
दिक्कतें तकलीफ समस्या समस्याएं प्रॉब्लम शिकायत शिकायतें नाराज़ नाराज गुस्सा ग़ुस्सा निराश निराशा निराशाजनक
दुखी दुख दुःख दुखद उदास शर्मनाक शर्म बदतमीज बदतमीज़ बदतमीजी असभ्य लापरवाह लापरवाही गैरजिम्मेदार टूटा टूटी
टूटे फेल विफल असफल गायब झूठ झूठा झूठे झूठी बेईमान भ्रष्ट अन्याय निकम्मा निकम्मे नालायक बेवकूफ मूर्ख
बेशर्म घृणा नफरत नफ़रत खतरनाक बीमार उल्टी कीड़ा कीड़े कचरा कूड़ा बेहाल त्रस्त ठप ठप्प अटका अटकी अटके हैंग
कमजोर कमज़ोर गलत ग़लत गड़बड़ गड़बड़ी अफसोस अफ़सोस वाहियात बदसलूकी रद्दी सड़ा सड़ी सड़े जला जली घोटाला
ड्रॉप डिस्कनेक्ट वेस्ट वर्स्ट बैड पकाऊ उबाऊ बेस्वाद फीका फीकी दर्द मुसीबत झंझट
"""

_RU_POSITIVE = """
отличн* прекрасн* великолепн* замечательн* шикарн* потрясающ* превосходн* идеальн* обожа* супер класс классн*
круто крут* хорош* лучш* спасиб* благодар* нрав* понрав* удобн* выгодн* доволен довольн* молодц* приятн*
рад рада радует радуют порадовал* быстро быстр* надежн* стабильн* качествен* вкусн* рекоменд* помогл* помог
помогли решили решил* вежлив* оперативн* люблю любим* счастлив* ура браво восторг* кайф* клев* норм неплох*
"""

_RU_NEGATIVE = """
ужасн* ужас отвратит* кошмар* худш* мерзк* ненавиж* ненавид* отстой* дерьм* говн* бесит бесят бесишь
мошенни* обман* развод* ворую* воруют воры кидал* жулик* позор* хамств* хамят хамск* идиот* дебил* урод*
плох* хуже проблем* сбой сбои сбоя сбоев глюч* глюк* тормоз* медленн* дорого дороже подорож* жалоб* жаль
разочаров* недовол* неудобн* бесполезн* ошибк* поломк* сломал* отключ* пропал* пропада* исчез* невозможн*
раздраж* злюсь злой зла злит достали достал задолбал* надоел* бред* грубо груб* списал* списыва* списан*
отказал* отказыва* врут вранье фигн* хрень беда тупит тупят отвал* лагает виснет зависа* вылета* жесть
кривой криво штраф* навязыва* подключили отвратн* гад* сволоч* мраз* пздц ппц блин бля* хуй* пизд* наеб*
"""

# Training rows only (never features): everyday words of the brief's domains and question words, as
# one-word neutral rows, so that "नेटवर्क" or "कितने बजे" carry no polarity the news-heavy tweets gave them.
HI_NEUTRAL_WORDS = """
फोन मोबाइल स्क्रीन बैटरी कैमरा कीमत रुपये रुपए दाम दुकान खाना चाय कॉफी कैफे मेनू बैंक खाता कार्ड एटीएम शाखा सिम
रिचार्ज प्लान नेटवर्क इंटरनेट डेटा कॉल ऑर्डर डिलीवरी ग्राहक सेवा ऐप वेबसाइट पैसे भुगतान बिल महीने दिन घंटे समय शहर
क्या कब कहाँ कहां कितने कितना कैसे कौन क्यों मॉडल कंपनी उत्पाद साइज रंग वजन इंच मेगापिक्सल जीबी प्रोसेसर स्टोर ब्रांच
""".split()

LEXICONS: dict[str, tuple[str, str]] = {
    "hi": (_HI_POSITIVE, _HI_NEGATIVE),
    "ru": (_RU_POSITIVE, _RU_NEGATIVE),
}


def fold_hindi(text: str) -> str:
    """Devanagari spelled one way: decomposed (NFD), no nukta, chandrabindu as anusvara.

    >>> fold_hindi("बढ़िया महँगा") == fold_hindi("बढिया महंगा")
    True
    """
    # NFD rather than NFC: Devanagari's nukta letters are composition exclusions, and NFD is faster
    return unicodedata.normalize("NFD", text).replace("\u093c", "").replace("\u0901", "\u0902")


@lru_cache(maxsize=4)
def _entries(lang: str) -> tuple[dict[str, int], dict[str, int]]:
    words: dict[str, int] = {}
    stems: dict[str, int] = {}
    for sign, block in zip((1, -1), LEXICONS[lang], strict=True):
        for entry in block.split():
            entry = entry.lower().replace("ё", "е")
            entry = fold_hindi(entry) if lang == "hi" else entry
            (stems if entry.endswith("*") else words)[entry.rstrip("*")] = sign
    return words, stems


def polarity(token: str, lang: str) -> int:
    """+1, -1 or 0 for a token already normalised as ``features`` does it.

    >>> polarity("отличный", "ru"), polarity("खराब", "hi"), polarity("чай", "ru")
    (1, -1, 0)
    """
    if lang not in LEXICONS:
        return 0
    words, stems = _entries(lang)
    if token in words:
        return words[token]
    for end in range(len(token), 2, -1):  # the longest stem first
        sign = stems.get(token[:end])
        if sign:
            return sign
    return 0


def word_rows(lang: str) -> list[tuple[str, str]]:
    """``(word, label)`` training rows from the lists: each polarity word, and (Hindi) the neutral words."""
    positive, negative = LEXICONS[lang]
    rows = [(w.rstrip("*"), "positive") for w in positive.split()]
    rows += [(w.rstrip("*"), "negative") for w in negative.split()]
    if lang == "hi":
        rows += [(w, "neutral") for w in HI_NEUTRAL_WORDS]
    return rows
