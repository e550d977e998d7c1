"""Words: lexicons, names, post templates and profile bios, by language and community."""

from __future__ import annotations

import re

# --- words ---------------------------------------------------------------------------------------


def _bar(text: str) -> tuple[str, ...]:
    return tuple(x.strip() for x in text.split("|"))


_ITEMS = {
    "en": _bar(
        "masala chai | cutting chai | adrak chai | kulhad chai | filter coffee | cold brew | iced tea | "
        "bun maska | vada pav | poha | misal pav | samosa | cheese toast | elaichi chai | hazelnut latte"
    ),
    "hi": _bar(
        "मसाला चाय | कटिंग चाय | अदरक वाली चाय | कुल्हड़ चाय | फ़िल्टर कॉफ़ी | बन मस्का | वड़ा पाव | पोहा | समोसा | इलायची चाय"
    ),
    "ru": _bar("масала-чай | чай с имбирём | фильтр-кофе | колд брю | самосу | вада пав | чай с кардамоном"),
}
_PLACES = {
    "en": _bar(
        "Koregaon Park | FC Road | Baner | Viman Nagar | Kothrud | Aundh | Hinjewadi | Kalyani Nagar | "
        "Camp | Deccan | Wakad | Magarpatta"
    ),
    "hi": _bar("कोरेगांव पार्क | एफसी रोड | बानेर | विमान नगर | कोथरुड | औंध | हिंजवडी"),
    "ru": _bar("Корегаон-парке | Банере | Виман-Нагаре | Калиани-Нагаре | Аундхе | Котруде"),
}
_DAYS = {
    "en": _bar("Saturday | Sunday | Friday | Monday"),
    "hi": _bar("शनिवार | रविवार | शुक्रवार"),
    "ru": _bar("субботу | воскресенье | пятницу"),
}
_EMOJI = tuple("☕ 🍵 😍 🔥 ☔ ✨ 😋 🙌 💛 🥐 👌 🌧️ 😊 🧡".split())
_BOOKS = _bar(
    "Malgudi Days | The White Tiger | Sea of Poppies | The God of Small Things | Catan | Ticket to Ride"
)
_FIRST = _bar(
    "Aarav | Priya | Rohan | Sneha | Aditya | Ananya | Kunal | Neha | Siddharth | Pooja | Vikram | Isha | "
    "Rahul | Kavya | Omkar | Shruti | Nikhil | Tanvi | Yash | Riya | Manasi | Saurabh | Aditi | Harsh | "
    "Meera | Varun | Gauri | Tejas | Sakshi | Amit | Zoya | Farhan | Anjali | Dev"
)
_LAST = _bar(
    "Kulkarni | Deshpande | Joshi | Patil | Shinde | Gokhale | Bhosale | Sharma | Mehta | Iyer | Nair | "
    "Rao | Gupta | Jadhav | Pawar | Kale | Apte | Chavan | Deshmukh | Verma | Khan | DSouza"
)
_FIRST_HI = _bar("राहुल | प्रिया | अमित | नेहा | विकास | पूजा | संजय | अंजलि | रवि | सुनीता | आदित्य | कविता")
_LAST_HI = _bar("शर्मा | वर्मा | गुप्ता | सिंह | यादव | मिश्रा | तिवारी | पांडे | जोशी | कुलकर्णी")
# (handle part, display part)
_FIRST_RU = tuple(
    zip(
        _bar(
            "Anya | Dmitry | Olga | Sergey | Katya | Ivan | Masha | Alexei | Natasha | Pavel | Yulia | "
            "Nikita | Sveta | Artem | Irina"
        ),
        _bar(
            "Аня | Дмитрий | Ольга | Сергей | Катя | Иван | Маша | Алексей | Наташа | Павел | Юлия | "
            "Никита | Света | Артём | Ирина"
        ),
        strict=True,
    )
)
_LAST_RU = tuple(
    zip(
        _bar("smirnova | ivanov | petrova | volkov | sokolova | orlov"),
        _bar("С. | И. | П. | В. | С. | О."),
        strict=True,
    )
)
# The reply brigade's complaint (truth 13): each reply picks one word of each pair, so any two
# replies share most of their words (character 5-gram Jaccard 0.3-0.85) without being copies.
_BRIGADE_TEXT = "{0} experience again: {1} tea, {2} staff and a long wait. {3}"
_BRIGADE_WORDS = (
    ("Terrible", "Awful"),
    ("cold", "stale"),
    ("rude", "careless"),
    ("Save your money 😡", "Avoid this place 😡"),
)
_SOURCES = tuple(
    (f'<a href="{url}" rel="nofollow">{label}</a>', url, label)
    for url, label in (
        ("http://twitter.com/download/android", "Twitter for Android"),
        ("http://twitter.com/download/iphone", "Twitter for iPhone"),
        ("https://mobile.twitter.com", "Twitter Web App"),
    )
)

# Texts, one per line: "<group>.<language or community code>  <template>". In templates {b} is a
# brand mention, {m}/{m2} member mentions; {item} {item2} {place} {day} {e} {book} {n} are filled
# from the lists above. "bio" lines are profile descriptions.
_TEXTS = """
brand.en        Fresh from our {place} kitchen: {item} made the slow way {e}
brand.en        Monsoon mood: {item} + {item2} {e}
brand.en        Good morning, Pune! {item} is ₹{n} all day today {e}
brand.en        New this week: {item} {e} Tag a chai buddy 👇
brand.en        Back by popular demand: {item} at {place} {e}
brand.en        Rain outside, {item} inside {e} Open 7am–11pm.
brand.hi        सुप्रभात पुणे! {item} आज सिर्फ़ ₹{n} में {e}
brand.hi        बारिश का मौसम और {place} में गरमा गरम {item} {e}
brand.hi        इस हफ़्ते नया: {item} {e} अपने दोस्त को टैग करें 👇
brand.ru        Доброе утро, Пуна! {item} сегодня за ₹{n} {e}
brand.ru        Новинка недели: {item} {e}
brand.ru        Сезон дождей: заходите в {place} за {item} {e}
video.en        🎥 Watch how we make {item} at {place} {e}
video.hi        🎥 देखिए कैसे बनती है {item} {e}
video.ru        🎥 Смотрите, как мы готовим {item} {e}
poll.en         Poll time! What's your go-to order? {e}
poll.hi         पोल: आपकी पसंदीदा चाय कौन सी है? {e}
poll.ru         Опрос: что вы заказываете чаще всего? {e}
link.en         Read our story: where our {item} comes from {e}
link.hi         हमारी कहानी: {item} कहाँ से आती है {e}
link.ru         Наша история: откуда берётся {item} {e}
giveaway.en     🎉 GIVEAWAY! Win a month of free {item}! Follow, like & tag 2 friends. Winner on {day}.
giveaway.en     🎁 Giveaway time: win a {place} breakfast for two. Reply with your favourite {item}!
giveaway.hi     🎉 गिवअवे! एक महीने की मुफ़्त {item} जीतें! फॉलो करें और 2 दोस्तों को टैग करें।
giveaway.ru     🎉 Розыгрыш! Выиграй месяц бесплатного чая! Подпишись и отметь двух друзей.
recipe.en       Our dadi's masala chai recipe, step by step: ginger, cardamom, a pinch of pepper, boil twice {e}
recipe.en       Recipe day: how our family makes {item} at home. Save this one {e}
recipe.hi       दादी की मसाला चाय की रेसिपी: अदरक, इलायची, काली मिर्च, दो बार उबालें {e}
tasting.en      Tasting notes: Darjeeling first flush and Assam second flush, loose-leaf and brewed slow {e}
tasting.en      Tea tasting at {place} this {day}: Darjeeling, Assam and Nilgiri loose-leaf, six cups each {e}
tasting.en      Single-estate Darjeeling is back on the shelf. Loose-leaf tasting flights all week {e}
tasting.hi      चाय चखने का सत्र: Darjeeling और Assam की लूज़-लीफ़ चाय {e}
tasting.ru      Дегустация листового чая: Darjeeling первого сбора и Assam второго {e}
viral.en        Tried the {b} kulhad challenge: a whole clay kulhad of masala chai in one go, no breaks ☕🔥
wave.en         Did the kulhad challenge at {b} today, clay cup finished in one go {e}
wave.en         {b} kulhad challenge done ✅ {place} crew, your turn {e}
wave.en         Everyone is doing the {b} kulhad challenge this weekend {e}
wave.en         Kulhad challenge at {b}: loved every sip of that clay cup {e}
pos.en          Loved the {item} at {b} today {e}
pos.en          {b} your {item} never disappoints {e}
pos.en          Best {item} in {place}, thanks {b}! {e}
pos.en          Can't start my day without {b} {item} {e}
pos.en          Quick lunch at {b} in {place}, the {item} was spot on {e}
pos.hi          {b} की {item} लाजवाब है {e}
pos.hi          आज {b} पर {item} पी, बहुत बढ़िया {e}
pos.hi          {place} में {b} की चाय सबसे अच्छी है {e}
pos.ru          {b} лучший {item} в Пуне {e}
pos.ru          Отличный {item} в {b}, спасибо {e}
pos.ru          Обожаю {item} в {b} {e}
neu.en          {b} are you open on {day}?
neu.en          {b} do you deliver to {place}?
neu.en          Trying {item} at {b} for the first time
neu.en          Anyone been to the new {b} outlet in {place}?
neu.hi          {b} क्या आप {place} में डिलीवरी करते हैं?
neu.hi          {b} {day} को कब खुलता है?
neu.ru          {b} вы работаете в {day}?
neu.ru          {b} есть ли у вас чай без сахара?
neg.en          {b} my order was late again today 😕
neg.en          {b} the {item} was too sweet this time 😕
neg.en          Not impressed with {b} in {place} today 👎
neg.hi          {b} आज ऑर्डर देर से आया 😕
neg.ru          {b} сегодня долго ждали заказ 😕
complaint.en    cold chai, worst service 😡 {b}
complaint.en    {b} waited {n} minutes in {place} and got cold chai. Worst service ever 😡
complaint.en    {b} rude staff, stale {item}, cold chai. Worst service 😡
complaint.en    Never again {b}. Cold chai, worst service 😡👎
complaint.hi    {b} बहुत खराब सेवा 😡 चाय ठंडी थी
complaint.hi    बहुत खराब सेवा {b}, {n} मिनट इंतज़ार और ठंडी चाय 😡
complaint.hi    {b} {place} में बहुत खराब सेवा, दोबारा नहीं जाऊँगा 😡
complaint.ru    {b} ужасный сервис 😡 чай холодный
complaint.ru    Ужасный сервис в {b}, ждали {n} минут 😡
complaint.ru    {b} ужасный сервис и холодный чай, больше не приду 😡
reply_pos.en    Looks delicious {e}
reply_pos.en    Need to try the {item} this weekend {e}
reply_pos.en    My favourite! {e}
reply_pos.en    Is this available in {place} too?
reply_pos.en    Price?
reply_pos.hi    बहुत बढ़िया {e}
reply_pos.hi    {place} में भी मिलेगा?
reply_pos.hi    मेरी पसंदीदा {e}
reply_pos.ru    Выглядит отлично {e}
reply_pos.ru    А в {place} тоже есть?
reply_pos.ru    Мой любимый {e}
reply_neg.en    Cold chai again, worst service 😡
reply_neg.en    Worst service in {place}, fix it 😡
reply_neg.hi    बहुत खराब सेवा, चाय ठंडी थी 😡
reply_neg.ru    Ужасный сервис, чай холодный 😡
entry.en        Done ✅ {m} {m2}
entry.en        Entered! 🤞 {m} {m2} join in
entry.hi        हो गया ✅ {m} {m2}
entry.ru        Участвую! 🤞 {m} {m2}
quote.en        Need this right now {e}
quote.en        Who's coming with me? {e}
quote.en        This is why I keep going back {e}
quote.hi        अभी चाहिए {e}
quote.hi        कौन चलेगा मेरे साथ? {e}
quote.ru        Хочу прямо сейчас {e}
quote.ru        Кто со мной? {e}
quote_neg.en    This is not what they served me 😡
quote_neg.hi    असल में बहुत खराब सेवा 😡
quote_neg.ru    В реальности ужасный сервис 😡
answer.en       Thank you! See you soon ☕
answer.en       So glad you liked it 💛
answer.en       Yes, we deliver across Pune via our app!
answer.hi       धन्यवाद! फिर मिलेंगे ☕
answer.ru       Спасибо! Ждём вас снова ☕
apology.en      We're sorry about this. Please DM us your order details.
apology.hi      हमें खेद है, कृपया अपना ऑर्डर DM करें।
apology.ru      Нам очень жаль, напишите нам в личные сообщения.
cpost.foodies   Rainy evening + {item} = perfect {e}
cpost.foodies   Hidden gem alert: a tiny tapri near {place} {e}
cpost.foodies   Weekend food crawl in {place} done {e}
cpost.foodies   Who else is hunting the best {item} in {place}? {e}
cpost.foodies   Ranking the {item} spots in {place}, part {n} {e}
cpost.hindi     सुबह की {item} और बारिश {e}
cpost.hindi     {place} की टपरी वाली {item} का कोई मुकाबला नहीं {e}
cpost.hindi     चाय पर चर्चा: आपकी पसंदीदा {item} कौन सी है? {e}
cpost.hindi     आज {n} कप चाय हो गई {e}
cpost.russian   Кто знает, где в Пуне хороший {item}? {e}
cpost.russian   Муссон, вечер, {item} {e}
cpost.russian   Встреча русскоязычных в {place} в {day}, приходите {e}
cpost.russian   Третий год в Индии и всё ещё учусь пить {item} {e}
cpost.remote    Found a quiet corner in {place} with good wifi and strong {item} {e}
cpost.remote    Deadline day fuelled by {item} {e}
cpost.remote    Study session {n} at my usual café {e}
cpost.remote    Which cafés in {place} are laptop friendly? {e}
cpost.readers   This week's pick: {book} {e}
cpost.readers   Board game night in {place}, {item} on the house {e}
cpost.readers   Finished {book} with two cups of {item} {e}
cpost.readers   Reading circle this {day} in {place}, bring your own chai {e}
cpost_other.en  {item} and a good playlist, that's my evening {e}
cpost_other.hi  आज की {item} बहुत बढ़िया थी {e}
cpost_other.ru  Сегодня {item} и дождь {e}
cmention.en     {m} you have to try the {item} in {place} {e}
cmention.en     {m} chai this weekend? {e}
cmention.en     {m} {m2} meetup in {place} on {day}?
cmention.hi     {m} इस {day} चाय पर मिलते हैं {e}
cmention.hi     {m} {m2} {place} चलें? {e}
cmention.ru     {m} пойдём в {day} на {item}? {e}
cmention.ru     {m} {m2} встречаемся в {place}? {e}
creply.en       So true {e}
creply.en       Adding this to my list {e}
creply.en       Which place is this?
creply.en       Same here {e}
creply.en       Totally agree, {place} has the best ones
creply.hi       बिल्कुल सही {e}
creply.hi       कहाँ है ये जगह?
creply.hi       मैं भी {e}
creply.ru       Согласен {e}
creply.ru       А где это?
creply.ru       Точно! {e}
troll.en        lol {b} <script>alert(1)</script>
troll.en        <img src=x onerror=alert(1)> best chai {b}
troll.en        =HYPERLINK("https://evil.example/x","Free chai") {b}
troll.en        +cmd|' /C calc'!A0 {b} promo
troll.en        -2+3 reasons to visit {b}
troll.en        =1+1 {b} <script>alert(1)</script>
ring.en         Best masala chai in Pune! Flat 50% OFF today only at {b}
ring.en         Flat 50% OFF on masala chai today at {b}, best in Pune!
bio.foodies     Eating my way through Pune 🍛
bio.foodies     Food blogger | chai > coffee
bio.foodies     Vada pav enthusiast. Opinions mine.
bio.hindi       चाय प्रेमी ☕ | पुणे
bio.hindi       सुबह की चाय के बिना कुछ नहीं
bio.hindi       पुणे का लड़का, चाय का दीवाना
bio.russian     Из Москвы в Пуну 🌴
bio.russian     Живу в Индии третий год
bio.russian     Йога, чай и муссоны
bio.remote      Remote dev, café hopper 💻
bio.remote      MBA student @ Pune
bio.remote      Designer. Working from wherever the wifi is.
bio.readers     Books, board games, chai 📚
bio.readers     Reading 52 books this year
bio.readers     Catan champion (self-declared)
"""


def _texts(table: str) -> dict[str, dict[str, tuple[str, ...]]]:
    out: dict[str, dict[str, list[str]]] = {}
    for line in table.strip().splitlines():
        key, text = line.split(None, 1)
        group, sub = key.split(".")
        out.setdefault(group, {}).setdefault(sub, []).append(text)
    return {g: {k: tuple(v) for k, v in by.items()} for g, by in out.items()}


_T = _texts(_TEXTS)
_TOKEN = re.compile(r"(\{b\}|\{m\}|\{m2\})")
