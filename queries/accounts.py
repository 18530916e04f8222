"""Accounts: the people who sign in, their role and scope, their passwords and API tokens.

A password is kept as a scrypt hash with its salt and parameters (``scrypt$n$r$p$salt$hash``),
a token as the sha256 of a random 256-bit string (shown once when made, like a channel's
key). ``login_max_failures`` wrong passwords in a row lock an account for
``login_lockout_min`` minutes; while locked even the right password is refused.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Sequence

from queries import clock
from queries.store import Store, StoreError
from queries.vocabulary import ROLES

MIN_PASSWORD_CHARS = 12
MAX_PASSWORD_CHARS = 1024
MAX_NAME_CHARS = 64
SCRYPT_N, SCRYPT_R, SCRYPT_P, SCRYPT_BYTES = 2 ** 14, 8, 1, 32
TOKEN_PREFIX = "tsk_"
# A kiosk token (the big screen's, ``/screen?kiosk=TOKEN``): its prefix is part of the hashed
# secret, so a kiosk token cannot be passed off as an API token nor the other way round.
KIOSK_PREFIX = "tsk_kiosk_"


class LoginRefused(Exception):
    """A login that does not succeed; ``reason`` is ``bad`` (unknown name, wrong password,
    disabled) or ``locked``. The message never says which names exist."""

    def __init__(self, reason: str, locked_until: datetime | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.locked_until = locked_until


@dataclass(frozen=True)
class User:
    """Who a request acts for. ``scope_codes`` None: the whole township."""
    user_id: int
    name: str
    role: str
    scope_codes: tuple[str, ...] | None
    dept_code: str | None

    @property
    def township_wide(self) -> bool:
        return self.scope_codes is None


# -- hashes ------------------------------------------------------------------------------
def hash_password(password: str, salt: bytes | None = None, n: int = SCRYPT_N, r: int = SCRYPT_R,
                  p: int = SCRYPT_P) -> str:
    salt = secrets.token_bytes(16) if salt is None else salt
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=SCRYPT_BYTES,
                            maxmem=128 * r * n * 2)
    return f"scrypt${n}${r}${p}${salt.hex()}${digest.hex()}"


def password_matches(password: str, stored: str) -> bool:
    """Constant time in the password: the whole hash is always computed and compared."""
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        again = hash_password(password, bytes.fromhex(salt), int(n), int(r), int(p))
    except ValueError:
        return False
    return hmac.compare_digest(again.rsplit("$", 1)[1], digest)


# Checked against when no account has the name, so that an unknown name costs the same time.
_NO_ACCOUNT = hash_password(secrets.token_hex(16))


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# -- checks -------------------------------------------------------------------------------
def _check_name(name: Any) -> str:
    if not isinstance(name, str) or not name.strip():
        raise ValueError("a user needs a name")
    name = name.strip()
    if len(name) > MAX_NAME_CHARS or not name.isprintable() or ":" in name:
        raise ValueError(f"a user name is 1 to {MAX_NAME_CHARS} printable characters without ':'")
    return name


def _check_password(password: Any) -> str:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_CHARS:
        raise ValueError(f"a password needs at least {MIN_PASSWORD_CHARS} characters")
    if len(password) > MAX_PASSWORD_CHARS:
        raise ValueError(f"a password has at most {MAX_PASSWORD_CHARS} characters")
    return password


def _check_scope(store: Store, scope: Sequence[str] | None) -> list[str] | None:
    if scope is None:
        return None
    codes = [c.strip() for c in scope if isinstance(c, str) and c.strip()]
    if not codes or len(codes) != len(list(scope)):
        raise ValueError("--scope lists village codes, separated by commas")
    known = set(store.run("accounts/village_codes")["code"])
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise ValueError(f"unknown village code {', '.join(unknown[:5])} (the villages' codes are in the grid)")
    return sorted(set(codes))


def _check_department(store: Store, code: str | None, role: str) -> str | None:
    if code is None or code == "":
        if role == "department":
            raise ValueError("a department user needs --department CODE")
        return None
    if code not in set(store.run("accounts/department_codes")["code"]):
        raise ValueError(f"unknown department code {code[:40]}")
    return code


# -- the operations (CLI, through the running server when one holds the file) ------------
def add_user(store: Store, *, name: str, role: str, password: str, scope: Sequence[str] | None = None,
             department: str | None = None, now: datetime | None = None) -> dict[str, Any]:
    name = _check_name(name)
    if role not in ROLES:
        raise ValueError(f"unknown role {str(role)[:40]!r}; one of {', '.join(ROLES)}")
    password = _check_password(password)
    codes = _check_scope(store, scope)
    dept = _check_department(store, department, role)
    stored = hash_password(password)
    with store.write() as cur:
        found = store.select_in(cur, "accounts/find_user", name=name)[0]
        if found["user_id"] is not None:
            raise StoreError(f"a user named {name!r} exists already")
        store.execute_write(cur, "accounts/add_user", user_id=found["next_id"], name=name, role=role,
                            scope_codes=codes, dept_code=dept, password_hash=stored,
                            now=now or clock.now())
    return {"name": name, "role": role, "scope": codes, "department": dept}


def list_users(store: Store) -> list[dict[str, Any]]:
    frame = store.run("accounts/users")
    rows = frame.astype(object).where(frame.notna(), None).to_dict("records")
    for row in rows:
        row["scope_codes"] = list(row["scope_codes"]) if row["scope_codes"] is not None else None
        for key in ("locked_until", "created_at"):
            row[key] = row[key].isoformat(sep=" ") if row[key] is not None else None
        row["disabled"], row["tokens"] = bool(row["disabled"]), int(row["tokens"])
    return rows


def _existing(store: Store, cur, name: str) -> dict[str, Any]:
    found = store.select_in(cur, "accounts/find_user", name=name)[0]
    if found["user_id"] is None:
        raise StoreError(f"no user named {name!r}")
    return found


def disable_user(store: Store, *, name: str, now: datetime | None = None) -> dict[str, Any]:
    name = _check_name(name)
    with store.write() as cur:
        found = _existing(store, cur, name)
        store.execute_write(cur, "accounts/disable_user", user_id=found["user_id"], now=now or clock.now())
    return {"name": name, "disabled": True}


def reset_password(store: Store, *, name: str, password: str) -> dict[str, Any]:
    name = _check_name(name)
    stored = hash_password(_check_password(password))
    with store.write() as cur:
        found = _existing(store, cur, name)
        store.execute_write(cur, "accounts/set_password", user_id=found["user_id"], password_hash=stored)
    return {"name": name, "reset": True}


def new_token(store: Store, *, name: str, kiosk: bool = False, now: datetime | None = None) -> dict[str, Any]:
    """A new API token for ``name``: returned once, only its hash stays. ``kiosk``: a
    read-only token of the big screen instead, valid for ``/screen`` alone (``dashboard.auth``),
    with the user's scope; revoked like any other."""
    name = _check_name(name)
    token = (KIOSK_PREFIX if kiosk else TOKEN_PREFIX) + secrets.token_urlsafe(32)
    with store.write() as cur:
        found = _existing(store, cur, name)
        if found["disabled"]:
            raise StoreError(f"user {name!r} is disabled")
        store.execute_write(cur, "accounts/new_token", token_hash=_token_hash(token), user_id=found["user_id"],
                            now=now or clock.now())
    return {"name": name, "role": found["role"], "token": token, "kiosk": bool(kiosk)}


def revoke_tokens(store: Store, *, name: str, now: datetime | None = None) -> dict[str, Any]:
    """Revoke every live token of ``name`` (the account stays)."""
    name = _check_name(name)
    with store.write() as cur:
        found = _existing(store, cur, name)
        revoked = store.select_in(cur, "accounts/revoke_user_tokens", user_id=found["user_id"],
                                  now=now or clock.now())[0]["revoked"]
    return {"name": name, "revoked": int(revoked)}


def revoke_token(store: Store, *, token: str, now: datetime | None = None) -> dict[str, Any]:
    if not isinstance(token, str) or not token:
        raise ValueError("revoke needs the token")
    with store.write() as cur:
        revoked = store.select_in(cur, "accounts/revoke_token", token_hash=_token_hash(token),
                                  now=now or clock.now())[0]["revoked"]
    if not revoked:
        raise StoreError("no live token matches")
    return {"revoked": True}


# -- who a request is ----------------------------------------------------------------------
def _user(row: dict[str, Any]) -> User:
    codes = row["scope_codes"]
    return User(int(row["user_id"]), row["name"], row["role"],
                tuple(codes) if codes is not None else None, row["dept_code"])


def verify_password(store: Store, name: Any, password: Any, *, max_failures: int, lockout_min: int,
                    now: datetime | None = None) -> User:
    """The user ``name`` when ``password`` is theirs and the account is neither disabled nor
    locked; raises ``LoginRefused`` otherwise, counting the failure."""
    now = now or clock.now()
    name = name.strip() if isinstance(name, str) else ""
    password = password if isinstance(password, str) else ""
    if not name or len(name) > MAX_NAME_CHARS or len(password) > MAX_PASSWORD_CHARS:
        password_matches(password[:MAX_PASSWORD_CHARS], _NO_ACCOUNT)
        raise LoginRefused("bad")
    rows = store.run("accounts/login_row", user_name=name).astype(object).to_dict("records")
    if not rows:
        password_matches(password, _NO_ACCOUNT)
        raise LoginRefused("bad")
    found = rows[0]
    locked_until = found["locked_until"]
    if locked_until is not None and now < locked_until:
        password_matches(password, _NO_ACCOUNT)
        raise LoginRefused("locked", locked_until)
    if password_matches(password, found["password_hash"]) and not found["disabled"]:
        if found["failed_logins"] or locked_until is not None:
            try:
                with store.write() as cur:
                    store.execute_write(cur, "accounts/record_login", user_id=found["user_id"], failed_logins=0,
                                        locked_until=None)
            except StoreError:
                pass      # a store that cannot write (a full disk) still lets the right password in
        return _user(found)
    with store.write() as cur:       # counted in the writer: concurrent failures add up
        again = store.select_in(cur, "accounts/find_user", name=name)[0]
        expired = again["locked_until"] is not None
        failures = (0 if expired else int(again["failed_logins"])) + 1
        lock = now + timedelta(minutes=lockout_min) if failures >= max_failures else None
        store.execute_write(cur, "accounts/record_login", user_id=found["user_id"],
                            failed_logins=0 if lock else failures, locked_until=lock)
    if lock is not None:
        raise LoginRefused("locked", lock)
    raise LoginRefused("bad")


def user_named(store: Store, name: str) -> User | None:
    """The active account ``name`` (a session's user, read again at every request)."""
    frame = store.run("accounts/by_name", user_name=name)
    return _user(frame.astype(object).to_dict("records")[0]) if len(frame) else None


def user_for_token(store: Store, token: str | None) -> User | None:
    """The active user a live token belongs to, or None."""
    if not token or len(token) > 200 or not token.isascii():
        return None
    frame = store.run("accounts/by_token", token_hash=_token_hash(token))
    return _user(frame.astype(object).to_dict("records")[0]) if len(frame) else None


def is_kiosk_token(token: str | None) -> bool:
    return isinstance(token, str) and token.startswith(KIOSK_PREFIX)


def user_dept_id(store: Store, user: User | None) -> int | None:
    """The id of a user's own department (a department user's), or None."""
    if user is None or user.dept_code is None:
        return None
    frame = store.run("accounts/department_id", code=user.dept_code)
    return int(frame["dept_id"].iloc[0]) if len(frame) else None


def scope_village_ids(store: Store, user: User) -> list[int]:
    """The ids of the villages a scoped user may see (codes survive a grid import; ids may not)."""
    if user.scope_codes is None:
        raise ValueError("a township-wide user has no village list")
    villages = store.run("accounts/village_codes")
    wanted = set(user.scope_codes)
    return sorted(int(a) for a, c in zip(villages["area_id"], villages["code"]) if c in wanted)


def demo_accounts(store: Store) -> list[dict[str, str]]:
    """One account per role with a random password (the demo's first build)."""
    made = []
    for role in ROLES:
        password = secrets.token_urlsafe(12)
        dept = store.run("accounts/department_codes")["code"].iloc[0] if role == "department" else None
        add_user(store, name=f"demo-{role}", role=role, password=password, department=dept)
        made.append({"name": f"demo-{role}", "role": role, "password": password})
    return made
