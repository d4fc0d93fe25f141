"""The templates' _() and ngettext() (core/i18n.py install_template_gettext):
Jinja's newstyle rule kept (a format string, its values escaped), and each
request, or a forced locale, speaks its own language, even through a macro
whose module Jinja imports once and keeps."""
from types import SimpleNamespace

from flask import render_template_string
from flask_babel import force_locale

PAGER = ("{% from 'macros/pagination.html' import pager %}"
         "{{ pager(page, 'customers.index', {}, target='#results') }}")


def _page():
    return SimpleNamespace(pages=3, page=1, has_next=True, has_prev=False, total_is_capped=False)


def test_a_translation_is_a_format_string_whose_values_are_escaped(app):
    with app.test_request_context(), force_locale("fr"):
        text = render_template_string("{{ _('Groupe : %(value)s', value=name) }}", name="<b>VIP</b>")
    assert text == "Groupe : &lt;b&gt;VIP&lt;/b&gt;"


def test_ngettext_takes_num_as_a_value_too(app):
    template = "{{ ngettext('%(num)s client', '%(num)s clients', n, num=shown) }}"
    with app.test_request_context(), force_locale("en"):
        assert render_template_string(template, n=1, shown="1") == "1 customer"
        assert render_template_string(template, n=2000, shown="2 000") == "2 000 customers"


def test_a_macro_kept_by_jinja_speaks_each_requests_language(app):
    for language, words in (("en", "Page 1 of 3"), ("fr", "Page 1 sur 3"), ("en", "Page 1 of 3")):
        with app.test_request_context(), force_locale(language):
            assert words in render_template_string(PAGER, page=_page())


def test_a_forced_locale_within_a_request_is_another_catalogue(app):
    with app.test_request_context():
        with force_locale("en"):
            assert "Next" in render_template_string(PAGER, page=_page())
        with force_locale("fr"):
            assert "Suivant" in render_template_string(PAGER, page=_page())
