"""Labelled PII corpus generator.

Writes JSONL lines {"id", "text", "labels": [{"type", "start", "end"}]} with character offsets.
Specimens are valid where a checksum exists (Luhn cards, mod-97 IBANs, base58check and bech32
Bitcoin addresses, valid-range SSNs). Names and places come from Faker (its lists, not the
engine's), real cities from Faker's de_DE / fr_FR / es_ES / it_IT locales, countries from Faker.
About a fifth of the records carry no PII but look numeric (order ids, versions, prices, times),
to measure false positives.
"""
import argparse
import base64
import hashlib
import json
import random
import string

from faker import Faker

B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def b58check(payload: bytes) -> str:
    data = payload + hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
    n = int.from_bytes(data, "big")
    out = ""
    while n:
        n, r = divmod(n, 58)
        out = B58[r] + out
    pad = len(data) - len(data.lstrip(b"\0"))
    return "1" * pad + out


# BIP-173 reference bech32 encoder (segwit v0).
BECH = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def _polymod(values):
    gen = [0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3]
    chk = 1
    for v in values:
        b = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i in range(5):
            chk ^= gen[i] if ((b >> i) & 1) else 0
    return chk


def _hrp_expand(hrp):
    return [ord(x) >> 5 for x in hrp] + [0] + [ord(x) & 31 for x in hrp]


def _convertbits(data, frombits, tobits):
    acc = bits = 0
    ret = []
    maxv = (1 << tobits) - 1
    for value in data:
        acc = (acc << frombits) | value
        bits += frombits
        while bits >= tobits:
            bits -= tobits
            ret.append((acc >> bits) & maxv)
    if bits:
        ret.append((acc << (tobits - bits)) & maxv)
    return ret


def bech32_address(rng: random.Random) -> str:
    prog = bytes(rng.getrandbits(8) for _ in range(20))
    data = [0] + _convertbits(prog, 8, 5)
    values = _hrp_expand("bc") + data
    pm = _polymod(values + [0] * 6) ^ 1
    checksum = [(pm >> 5 * (5 - i)) & 31 for i in range(6)]
    return "bc1" + "".join(BECH[d] for d in data + checksum)


def luhn_complete(digits):
    s = 0
    for i, d in enumerate(reversed(digits + [0])):
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        s += d
    return digits + [(10 - s % 10) % 10]


IBAN_FORMATS = {  # country: list of (count, kind) for the BBAN
    "DE": [(18, "n")],
    "GB": [(4, "a"), (14, "n")],
    "FR": [(10, "n"), (11, "c"), (2, "n")],
    "ES": [(20, "n")],
    "IT": [(1, "a"), (10, "n"), (12, "c")],
    "NL": [(4, "a"), (10, "n")],
    "BE": [(12, "n")],
    "CH": [(5, "n"), (12, "c")],
    "PL": [(24, "n")],
    "AT": [(16, "n")],
}


def iban(rng: random.Random, spaced: bool) -> str:
    country = rng.choice(sorted(IBAN_FORMATS))
    bban = ""
    for count, kind in IBAN_FORMATS[country]:
        alphabet = {"n": string.digits, "a": string.ascii_uppercase, "c": string.digits + string.ascii_uppercase}[kind]
        bban += "".join(rng.choice(alphabet) for _ in range(count))
    rearranged = bban + country + "00"
    num = int("".join(str(int(c, 36)) for c in rearranged))
    check = 98 - num % 97
    compact = f"{country}{check:02d}{bban}"
    if spaced:
        return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))
    return compact


def ssn(rng):
    while True:
        area = rng.randint(1, 899)
        if area != 666:
            break
    return f"{area:03d}-{rng.randint(1, 99):02d}-{rng.randint(1, 9999):04d}"


def nanp(rng):
    a = f"{rng.randint(2, 9)}{rng.randint(0, 9)}{rng.randint(0, 9)}"
    while a[1:] == "11":
        a = f"{rng.randint(2, 9)}{rng.randint(0, 9)}{rng.randint(0, 9)}"
    e = f"{rng.randint(2, 9)}{rng.randint(0, 9)}{rng.randint(0, 9)}"
    n = f"{rng.randint(0, 9999):04d}"
    return rng.choice([f"({a}) {e}-{n}", f"{a}-{e}-{n}", f"{a}.{e}.{n}", f"+1 {a}-{e}-{n}", f"+1 ({a}) {e}-{n}"])


def intl_phone(rng):
    return rng.choice([
        lambda: f"+44 20 {rng.randint(7000, 8999)} {rng.randint(1000, 9999)}",
        lambda: f"+44 7{rng.randint(100, 999)} {rng.randint(100000, 999999)}",
        lambda: f"+49 30 {rng.randint(1000000, 99999999)}",
        lambda: f"+33 1 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
        lambda: f"+91 98{rng.randint(10000000, 99999999)}",
        lambda: f"+61 2 {rng.randint(8000, 9999)} {rng.randint(1000, 9999)}",
        lambda: f"+4915{rng.randint(100000000, 999999999)}",
    ])()


def card(rng, fake):
    kind = rng.choice(["visa16", "mastercard", "amex", "discover", "visa13", "jcb16", "maestro"])
    number = fake.credit_card_number(card_type=kind)
    style = rng.random()
    if style < 0.4:
        return number
    sep = " " if style < 0.75 else "-"
    if len(number) == 15:
        return sep.join([number[:4], number[4:10], number[10:]])
    return sep.join(number[i : i + 4] for i in range(0, len(number), 4))


def secret(rng):
    up = string.ascii_uppercase + string.digits
    alnum = string.ascii_letters + string.digits
    kind = rng.randrange(7)
    if kind == 0:
        return "AKIA" + "".join(rng.choice(up) for _ in range(16)), "here is my AWS key {} for the deploy"
    if kind == 1:
        return "ghp_" + "".join(rng.choice(alnum) for _ in range(36)), "use the token {} to push"
    if kind == 2:
        header = base64.urlsafe_b64encode(b'{"alg":"HS256","typ":"JWT"}').rstrip(b"=").decode()
        body = base64.urlsafe_b64encode(json.dumps({"sub": str(rng.randint(1, 10**6))}).encode()).rstrip(b"=").decode()
        sig = "".join(rng.choice(alnum + "-_") for _ in range(43))
        return f"{header}.{body}.{sig}", "the session token is {} and it expired"
    if kind == 3:
        pw = "".join(rng.choice(alnum + "!#$%&*") for _ in range(rng.randint(8, 16)))
        return pw, "my password: {} please reset it"
    if kind == 4:
        return "sk_live_" + "".join(rng.choice(alnum) for _ in range(24)), "Stripe key {} leaked?"
    if kind == 5:
        return "xoxb-" + "-".join("".join(rng.choice(string.digits) for _ in range(11)) for _ in range(2)) + "-" + "".join(rng.choice(alnum) for _ in range(24)), "slack bot token {} in the repo"
    body = "\n".join("".join(rng.choice(alnum + "+/") for _ in range(64)) for _ in range(3))
    return f"-----BEGIN PRIVATE KEY-----\n{body}\n-----END PRIVATE KEY-----", "key file:\n{}\nthanks"


def build_generators(fake, cities_fakers, rng):
    states = ["CA", "NY", "TX", "WA", "IL", "FL", "MA", "OR", "CO", "GA"]

    def date_value():
        d = fake.date_of_birth(minimum_age=18, maximum_age=90)
        return rng.choice([d.isoformat(), d.strftime("%m/%d/%Y"), d.strftime("%B %d, %Y"), d.strftime("%d.%m.%Y")])

    return {
        "EMAIL": (lambda: fake.email(), ["Please email me at {}.", "Contact: {}", "send the file to {} today", "{} is my work address"]),
        "PHONE": (lambda: nanp(rng) if rng.random() < 0.6 else intl_phone(rng), ["call me at {} tomorrow", "my phone number is {}", "Reach the office on {}.", "mobile: {}"]),
        "SSN": (lambda: ssn(rng), ["my SSN is {}", "Social security number {} on the form", "SSN: {}"]),
        "CREDIT_CARD": (lambda: card(rng, fake), ["charge my card {} please", "card number: {}", "I paid with {} yesterday", "{} was declined"]),
        "IBAN": (lambda: iban(rng, rng.random() < 0.5), ["wire it to {}", "IBAN: {}", "my account {} at the bank"]),
        "IP_ADDRESS": (lambda: fake.ipv4() if rng.random() < 0.7 else fake.ipv6(), ["the server at {} is down", "login from IP {} flagged", "ping {} failed"]),
        "MAC_ADDRESS": (lambda: fake.mac_address() if rng.random() < 0.6 else fake.mac_address().upper().replace(":", "-"), ["device MAC {} on the network", "whitelist {} please"]),
        "URL": (lambda: fake.url() + rng.choice(["", "account/settings", f"reset?token={rng.randint(1000, 9999)}"]), ["open {} to continue", "the link {} does not work", "see {}"]),
        "US_PASSPORT": (lambda: rng.choice([f"{rng.choice(string.ascii_uppercase)}{rng.randint(10000000, 99999999)}", f"{rng.randint(100000000, 999999999)}"]), ["my passport number is {}", "Passport no. {} expires soon"]),
        "DRIVER_LICENSE": (lambda: rng.choice([f"{rng.choice(string.ascii_uppercase)}{rng.randint(1000000, 9999999)}", f"{rng.choice(string.ascii_uppercase)}{rng.randint(100, 999)}-{rng.randint(100, 999)}-{rng.randint(10, 99)}-{rng.randint(100, 999)}-{rng.randint(0, 9)}"]), ["driver's license {} from the DMV", "my driver license number is {}"]),
        "DATE": (date_value, ["I was born on {}", "date of birth: {}", "DOB {} per the record"]),
        "CRYPTO": (lambda: b58check(bytes([rng.choice([0, 5])]) + bytes(rng.getrandbits(8) for _ in range(20))) if rng.random() < 0.6 else bech32_address(rng), ["send the BTC to {}", "my wallet {} is empty"]),
        "PERSON": (lambda: fake.name() if rng.random() < 0.5 else f"{fake.first_name()} {fake.last_name()}", ["My name is {}.", "Please forward this to {} in accounting.", "{} called yesterday about the order.", "Dear {}, thanks for the update.", "I had lunch with {} on Monday."]),
        "LOCATION": (lambda: rng.choice([
            lambda: fake.country(),
            lambda: rng.choice(cities_fakers).city(),
            lambda: f"{fake.street_address()}, {fake.city()}, {rng.choice(states)} {fake.zipcode()}",
        ])(), ["I live in {}.", "We moved to {} last year.", "ship it to {}", "the conference is in {} this year"]),
    }


NEGATIVES = [
    lambda r: f"Order #{r.randint(10000, 99999)} shipped on time, total ${r.randint(10, 2000)}.{r.randint(10, 99)}",
    lambda r: f"Upgrade to version {r.randint(1, 9)}.{r.randint(0, 20)}.{r.randint(0, 30)} fixes the crash",
    lambda r: f"The meeting moved to {r.randint(1, 12)}:{r.choice(['00', '15', '30', '45'])} in room {r.randint(100, 999)}",
    lambda r: f"Ticket {r.randint(100000, 999999)} was closed as a duplicate",
    lambda r: f"Explain how {r.choice(['RSA', 'TLS', 'OAuth', 'FF1', 'AES'])} works in simple terms",
    lambda r: f"We sold {r.randint(1000, 99999)} units in Q{r.randint(1, 4)} with a margin of {r.randint(5, 60)}%",
    lambda r: f"What is a good password policy for a team of {r.randint(5, 500)} people?",
    lambda r: f"Summarize chapter {r.randint(1, 30)} of the handbook in {r.randint(3, 10)} bullet points",
    lambda r: f"ISBN 978-{r.randint(0, 9)}-{r.randint(100, 999)}-{r.randint(10000, 99999)}-{r.randint(0, 9)} is on the shelf",
    lambda r: f"Set the timeout to {r.randint(100, 90000)} ms and retry {r.randint(2, 9)} times",
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=20261126)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()

    rng = random.Random(args.seed)
    Faker.seed(args.seed)
    fake = Faker("en_US")
    cities = [Faker(loc) for loc in ("de_DE", "fr_FR", "es_ES", "it_IT")]
    gens = build_generators(fake, cities, rng)
    types = sorted(list(gens) + ["SECRET"])

    with open(args.out, "w", encoding="utf-8") as out:
        for i in range(args.records):
            parts, labels = [], []
            text = ""
            if rng.random() < 0.2:
                text = rng.choice(NEGATIVES)(rng)
            else:
                for _ in range(rng.choice([1, 1, 2, 3])):
                    ty = rng.choice(types)
                    if ty == "SECRET":
                        value, template = secret(rng)
                    else:
                        make, templates = gens[ty]
                        value, template = make(), rng.choice(templates)
                    pre, post = template.split("{}")
                    if text:
                        text += " "
                    text += pre
                    start = len(text)
                    text += value
                    labels.append({"type": ty, "start": start, "end": start + len(value)})
                    text += post
                if rng.random() < 0.15:
                    text += rng.choice([" 😀", " — merci beaucoup", " 谢谢", " (urgent!)"])
            parts.append(text)
            out.write(json.dumps({"id": i, "text": text, "labels": labels}, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
