"""The form macros (macros/forms.html): labels, optional markers, errors, summary, checkbox, radio, maxlength."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

IMPORT = '{% import "macros/forms.html" as forms with context %}'
VOID = {"input", "br", "img", "hr", "meta", "link"}


class ContactForm(FlaskForm):
    class Meta:
        csrf = False

    name = StringField("Name", validators=[DataRequired(), Length(max=80)])
    email = EmailField("Email address", validators=[Optional(), Length(max=254)])
    message = TextAreaField("Message", validators=[Optional(), Length(max=500)])
    topic = SelectField("Topic", choices=[SelectChoice("question", "Question"), SelectChoice("idea", "Idea")])
    contact = RadioField(
        "How may we contact you?", choices=[SelectChoice("mail", "By email"), SelectChoice("phone", "By phone")]
    )
    agree = BooleanField("I agree to the terms", validators=[DataRequired()])


@dataclass
class Node:
    tag: str
    attrs: dict[str, str | None]
    children: list[Node | str] = field(default_factory=list)

    @property
    def classes(self) -> list[str]:
        return (self.attrs.get("class") or "").split()

    @property
    def text(self) -> str:
        parts = (child if isinstance(child, str) else child.text for child in self.children)
        return re.sub(r"\s+", " ", "".join(parts)).strip()


class _Tree(HTMLParser):
    """A minimal DOM: every element in document order, each with its children."""

    def __init__(self):
        super().__init__()
        self.root = Node("root", {})
        self.stack = [self.root]
        self.elements: list[Node] = []

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs))
        self.stack[-1].children.append(node)
        self.elements.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_endtag(self, tag):
        if tag not in VOID:
            assert self.stack[-1].tag == tag, f"unbalanced </{tag}>"
            self.stack.pop()

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse(html: str) -> list[Node]:
    tree = _Tree()
    tree.feed(html)
    tree.close()
    assert tree.stack == [tree.root], "unclosed elements"
    return tree.elements


def by_id(elements: list[Node], element_id: str) -> Node:
    (found,) = [node for node in elements if node.attrs.get("id") == element_id]
    return found


def with_class(elements: list[Node | str], name: str) -> list[Node]:
    return [node for node in elements if isinstance(node, Node) and name in node.classes]


def render(app, source: str, **context) -> str:
    return app.jinja_env.from_string(IMPORT + source).render(**context)


def render_fields(app, form) -> str:
    return render(app, "{% for f in form %}{{ forms.field(f) }}{% endfor %}", form=form)


@pytest.fixture
def get_form(app):
    """An unsubmitted ContactForm inside an English request."""
    with app.test_request_context("/en/contact"):
        yield ContactForm()


@pytest.fixture
def invalid_form(app):
    """A ContactForm posted empty (apart from a too long message) and validated."""
    with app.test_request_context("/en/contact", method="POST", data={"message": "x" * 501}):
        form = ContactForm()
        assert not form.validate()
        yield form


def test_every_label_points_at_its_control(app, get_form):
    elements = parse(render_fields(app, get_form))
    labels = [node for node in elements if node.tag == "label"]
    assert len(labels) == 7  # name, email, message, topic, agree and one per radio option
    for label in labels:
        control = by_id(elements, label.attrs["for"])
        assert control.tag in {"input", "select", "textarea"}
    assert by_id(elements, "name").classes == ["wp-textbox"]
    assert by_id(elements, "message").classes == ["wp-textbox", "wp-textbox--multiline"]
    assert by_id(elements, "topic").classes == ["wp-select"]
    assert by_id(elements, "agree").classes == ["wp-checkbox"]


def test_optional_fields_are_marked_and_required_ones_are_not(app, get_form):
    elements = parse(render_fields(app, get_form))
    label_of = {node.attrs["for"]: node for node in elements if node.tag == "label"}
    assert label_of["name"].text == "Name"
    assert "*" not in label_of["name"].text
    assert label_of["email"].text == "Email address (optional)"
    assert with_class(label_of["email"].children, "wp-form-field__optional")
    assert label_of["message"].text == "Message (optional)"


def test_unsubmitted_form_has_no_error_state(app, get_form):
    html = render_fields(app, get_form) + render(app, "{{ forms.error_summary(form) }}", form=get_form)
    assert "aria-invalid" not in html
    assert "wp-form-field--invalid" not in html
    assert "wp-alert" not in html


def test_errors_are_shown_and_tied_to_the_control(app, invalid_form):
    elements = parse(render_fields(app, invalid_form))
    name = by_id(elements, "name")
    assert name.attrs["aria-invalid"] == "true"
    assert "name-error" in name.attrs["aria-describedby"].split()
    error = by_id(elements, "name-error")
    assert "wp-form-field__error" in error.classes
    assert error.text == "Error: This field is required."
    assert with_class(error.children, "wp-visually-hidden")[0].text == "Error:"
    assert by_id(elements, "message").attrs["aria-describedby"] == "message-error"
    wrappers = with_class(elements, "wp-form-field--invalid")
    assert len(wrappers) == 5  # name, message, topic and contact (no choice made), agree
    assert "aria-invalid" not in by_id(elements, "email").attrs


def test_description_is_rendered_and_described_before_the_error(app, invalid_form):
    html = render(
        app,
        '{{ forms.field(form.name, description="As on your ID card.", autocomplete="name") }}',
        form=invalid_form,
    )
    elements = parse(html)
    assert by_id(elements, "name-description").text == "As on your ID card."
    control = by_id(elements, "name")
    assert control.attrs["aria-describedby"] == "name-description name-error"
    assert control.attrs["autocomplete"] == "name"


def test_error_summary_links_to_each_field(app, invalid_form):
    invalid_form.form_errors.append("These details do not match.")
    elements = parse(render(app, "{{ forms.error_summary(form) }}", form=invalid_form))
    (alert,) = with_class(elements, "wp-alert--error")
    assert alert.attrs["role"] == "alert"
    assert "Please check the fields below" in alert.text
    links = {node.attrs["href"]: node.text for node in elements if node.tag == "a"}
    assert links["#name"] == "Name: This field is required."
    assert links["#agree"] == "I agree to the terms: This field is required."
    assert "#message" in links
    assert "These details do not match." in alert.text


def test_error_summary_shows_the_csrf_message_without_a_link(app):
    data = {"name": "Ayşe", "topic": "idea", "contact": "mail", "agree": "y"}
    with app.test_request_context("/en/contact", method="POST", data=data):
        form = ContactForm(meta={"csrf": True})
        assert not form.validate()
        html = render(app, "{{ forms.error_summary(form) }}{{ forms.hidden(form) }}", form=form)
    elements = parse(html)
    assert "The CSRF token is missing." in with_class(elements, "wp-alert--error")[0].text
    assert not [node for node in elements if node.tag == "a"]
    assert by_id(elements, "csrf_token").attrs["type"] == "hidden"


def test_checkbox_comes_before_its_label(app, get_form):
    html = render(app, "{{ forms.field(form.agree) }}", form=get_form)
    elements = parse(html)
    (wrapper,) = with_class(elements, "wp-form-field--checkbox")
    assert "wp-form-field" in wrapper.classes
    checkbox = by_id(elements, "agree")
    assert checkbox.attrs["type"] == "checkbox"
    label = next(node for node in elements if node.tag == "label")
    assert label.attrs["for"] == "agree"
    assert elements.index(checkbox) < elements.index(label)


def test_radio_field_is_a_fieldset_with_a_legend(app, invalid_form):
    invalid_form.contact.errors = ["Choose how we may contact you."]
    elements = parse(render(app, "{{ forms.field(form.contact) }}", form=invalid_form))
    (fieldset,) = [node for node in elements if node.tag == "fieldset"]
    assert "wp-fieldset" in fieldset.classes
    assert fieldset.attrs["aria-describedby"] == "contact-error"
    legend = next(node for node in fieldset.children if isinstance(node, Node))
    assert legend.tag == "legend"
    assert "wp-fieldset__legend" in legend.classes
    assert legend.text == "How may we contact you? (optional)"
    radios = [node for node in elements if node.tag == "input"]
    assert [radio.attrs["type"] for radio in radios] == ["radio", "radio"]
    assert all(radio.classes == ["wp-radio"] for radio in radios)
    labels = {node.attrs["for"]: node.text for node in elements if node.tag == "label"}
    assert labels == {"contact-0": "By email", "contact-1": "By phone"}
    assert by_id(elements, "contact-error").text == "Error: Choose how we may contact you."


def test_required_radio_group_has_no_optional_marker(app):
    class LanguageForm(FlaskForm):
        class Meta:
            csrf = False

        choices = [SelectChoice("nl", "Nederlands"), SelectChoice("ar", "العربية")]
        language = RadioField("Language", choices=choices, validators=[InputRequired()])

    with app.test_request_context("/en/profile"):
        elements = parse(render(app, "{{ forms.field(form.language) }}", form=LanguageForm()))
    (legend,) = [node for node in elements if node.tag == "legend"]
    assert legend.text == "Language"
    assert not with_class(elements, "wp-form-field__optional")


def test_maxlength_comes_from_the_length_validator(app, get_form):
    elements = parse(render_fields(app, get_form))
    assert by_id(elements, "name").attrs["maxlength"] == "80"
    assert by_id(elements, "email").attrs["maxlength"] == "254"
    assert by_id(elements, "message").attrs["maxlength"] == "500"
    assert "maxlength" not in by_id(elements, "topic").attrs


def test_submit_buttons(app):
    html = render(app, '{{ forms.submit("Save") }}{{ forms.submit("Cancel", secondary=true) }}')
    buttons = [node for node in parse(html) if node.tag == "button"]
    assert [(button.attrs["type"], button.classes, button.text) for button in buttons] == [
        ("submit", ["wp-button"], "Save"),
        ("submit", ["wp-button", "wp-button--secondary"], "Cancel"),
    ]


def test_no_inline_styles_anywhere(app, invalid_form):
    invalid_form.form_errors.append("These details do not match.")
    html = render(
        app,
        "{{ forms.hidden(form) }}{{ forms.error_summary(form) }}"
        '{% for f in form %}{{ forms.field(f, description="Help text") }}{% endfor %}'
        '{{ forms.submit("Send") }}{{ forms.submit("Back", secondary=true) }}',
        form=invalid_form,
    )
    assert not re.search(r"\sstyle\s*=", html, re.IGNORECASE)
    assert "<script" not in html
    parse(html)  # balanced markup
