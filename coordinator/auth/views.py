"""Sign-in, sign-out and language choice pages."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from coordinator.auth import service
from coordinator.auth.security import client_address, throttle
from coordinator.authz import ANY_USER, allow, public
from coordinator.common.errors import Invalid, TooManyAttempts
from coordinator.extensions import db

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    username = StringField("username", validators=[DataRequired(), Length(max=80)])
    password = PasswordField("password", validators=[DataRequired(), Length(max=256)])


def _safe_next(target: str | None) -> str:
    if target and not urlsplit(target).netloc and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("pages.home")


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = service.authenticate(
                session=db.session,
                throttle=throttle(),
                username=form.username.data.strip(),
                password=form.password.data,
                address=client_address(),
            )
        except TooManyAttempts as exc:
            flash(_("Too many failed sign-ins. Try again later."), "error")
            status = 429
            resp = current_app.make_response((render_template("auth/login.html", form=form), status))
            resp.headers["Retry-After"] = str(exc.extra.get("retry_after", 60))
            return resp
        except Invalid:
            flash(_("Wrong username or password."), "error")
            status = 401
        else:
            session.clear()
            login_user(user)
            if user.locale:
                session["lang"] = user.locale
            return redirect(_safe_next(request.args.get("next")))
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@allow(*ANY_USER)
def logout():
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))


@bp.route("/lang", methods=["POST"])
@public
def set_language():
    lang = request.form.get("lang", "")
    if lang not in current_app.config["LANGUAGES"]:
        return render_template("error.html", message=_("Unknown language.")), 400
    session["lang"] = lang
    if current_user.is_authenticated:
        service.set_locale(session=db.session, user=current_user, locale=lang)
        db.session.commit()
    return redirect(_safe_next(request.form.get("next")))
