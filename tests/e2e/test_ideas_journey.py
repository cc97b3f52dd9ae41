"""Paris Idée in a real browser: publish with needs, partner finds and proposes, messages, acceptance, support, news."""

import email
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import assert_accessible, login
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

pytestmark = [pytest.mark.e2e]


@pytest.fixture
def cast(reference_data):
    from ideas import services

    holder = UserFactory(email="porteuse@example.org", display_name="Awa Porteuse")
    company = OrganizationFactory(name="Énergies Citoyennes Paris", kind="company", email="contact@ecp.example")
    partner_user = MembershipFactory(
        organization=company, user=UserFactory(email="sophie@ecp.example", display_name="Sophie Lambert")
    ).user
    services.create_partner(
        partner_user,
        organization=company,
        description="Nous cofinançons les projets d'énergie citoyenne.",
        themes=["energie"],
        districts=[],
        offers=[{"kind": "funding", "description": "Jusqu'à 50 000 €"}],
    )
    resident = UserFactory(email="camille@example.org", display_name="Camille Martin")
    return holder, partner_user, resident


def _emails(sent_emails, mail_dir):
    """sent_emails(), plus a fallback: EMAIL_URL "filemail:///abs" is read by django-environ as a path relative to
    the server's working directory (foundation bug reported), so the server may write the files there."""
    found = sent_emails()
    relative = Path(__file__).resolve().parents[2] / str(mail_dir).lstrip("/")
    for path in sorted(relative.glob("*.log")) if relative.exists() else []:
        for chunk in path.read_text().split("-" * 79):
            if chunk.strip():
                msg = email.message_from_string(chunk.strip())
                subject = str(email.header.make_header(email.header.decode_header(msg["Subject"] or "")))
                payload = msg.get_payload(decode=True)
                found.append(
                    {
                        "subject": subject,
                        "to": msg["To"],
                        "body": payload.decode(msg.get_content_charset() or "utf-8", "replace") if payload else "",
                    }
                )
    return found


def _page(new_page, live_server_url):
    # This shared machine is slow: allow more than the default 15 s per step, and warm the server up.
    page = new_page()
    page.set_default_timeout(60000)
    page.goto(f"{live_server_url}/idees/")
    return page


def test_idea_journey_from_publication_to_covered_need(new_page, live_server_url, cast, sent_emails, mail_dir):
    holder, partner_user, resident = cast

    # The holder publishes an idea with two needs (the formset works without JS; JS only adds lines).
    holder_page = _page(new_page, live_server_url)
    login(holder_page, live_server_url, holder.email)
    holder_page.goto(f"{live_server_url}/idees/nouvelle/")
    assert_accessible(holder_page)
    holder_page.fill("#id_title", "Toits solaires sur l'école Parmentier")
    holder_page.fill("#id_pitch", "Des panneaux solaires financés par les habitants sur le toit de l'école.")
    holder_page.check("input[name=themes][value=energie]")
    holder_page.check("input[name=districts][value='11']")
    holder_page.select_option("#id_needs-0-kind", "funding")
    holder_page.fill("#id_needs-0-description", "Achat des panneaux")
    holder_page.fill("#id_needs-0-amount", "15000")
    holder_page.select_option("#id_needs-1-kind", "place")
    holder_page.fill("#id_needs-1-description", "Un local pour le matériel")
    holder_page.get_by_role("button", name="Publier").click()
    holder_page.wait_for_load_state("networkidle")
    expect(holder_page.get_by_role("heading", level=1)).to_have_text("Toits solaires sur l'école Parmentier")
    expect(holder_page.locator(".needs-list li")).to_have_count(2)
    idea_url = holder_page.url
    assert_accessible(holder_page)

    # The partner company finds it among its matches, with the reasons, and proposes support on the funding need.
    partner_page = _page(new_page, live_server_url)
    login(partner_page, live_server_url, partner_user.email)
    partner_page.goto(f"{live_server_url}/idees/partenaire/suggestions/")
    card = partner_page.locator(".idea-card", has_text="Toits solaires sur l'école Parmentier")
    expect(card).to_be_visible()
    expect(card).to_contain_text("couvre 1 besoin sur 2 : financement")
    assert_accessible(partner_page)
    card.get_by_role("link").first.click()
    partner_page.wait_for_load_state("networkidle")
    partner_page.select_option("#id_need", index=0)
    partner_page.fill("#id_message", "Bonjour, notre fonds peut financer vos panneaux.")
    partner_page.get_by_role("button", name="Proposer un soutien").click()
    partner_page.wait_for_load_state("networkidle")
    assert "/idees/mises-en-relation/" in partner_page.url
    expect(partner_page.locator("#thread")).to_contain_text("notre fonds peut financer")
    expect(partner_page.locator(".contacts")).to_have_count(0)
    assert_accessible(partner_page)

    # The holder answers; the message appears live on the partner's page.
    holder_page.goto(f"{live_server_url}/idees/mises-en-relation/")
    assert_accessible(holder_page)
    holder_page.get_by_role("link", name="Toits solaires sur l'école Parmentier").click()
    holder_page.wait_for_load_state("networkidle")
    expect(holder_page.locator("#thread")).to_contain_text("notre fonds peut financer")
    assert "sophie@ecp.example" not in holder_page.content()
    holder_page.fill("#id_body", "Merci ! Pouvons-nous nous appeler demain ?")
    holder_page.get_by_role("button", name="Envoyer").click()
    holder_page.wait_for_load_state("networkidle")
    expect(partner_page.locator("#thread")).to_contain_text("Pouvons-nous nous appeler demain", timeout=15000)
    assert any(
        partner_user.email in (m["to"] or "") and "Nouveau message" in m["subject"]
        for m in _emails(sent_emails, mail_dir)
    )

    # The holder accepts: contact details appear and the need shows as covered.
    holder_page.get_by_role("button", name="Accepter").click()
    holder_page.wait_for_load_state("networkidle")
    expect(holder_page.locator(".contacts")).to_contain_text("contact@ecp.example")
    holder_page.goto(idea_url)
    expect(holder_page.locator(".needs-list li.covered")).to_contain_text("Couvert")
    expect(holder_page.locator(".meta .tag")).to_have_text("En partenariat")

    # A resident supports the idea and receives its news by e-mail.
    resident_page = _page(new_page, live_server_url)
    login(resident_page, live_server_url, resident.email)
    resident_page.goto(idea_url)
    resident_page.get_by_role("button", name="Soutenir cette idée").click()
    resident_page.wait_for_load_state("networkidle")
    expect(resident_page.locator("#supporters-count")).to_contain_text("1 soutien")
    expect(resident_page.get_by_role("button", name=re.compile("Vous soutenez cette idée"))).to_have_attribute(
        "aria-pressed", "true"
    )
    assert_accessible(resident_page)

    holder_page.goto(idea_url)
    holder_page.fill("#news_title", "Le financement est trouvé")
    holder_page.fill("#news_body", "Énergies Citoyennes Paris finance nos panneaux. Merci à tous !")
    holder_page.get_by_role("button", name="Envoyer aux soutiens").click()
    holder_page.wait_for_load_state("networkidle")
    news_mails = [m for m in _emails(sent_emails, mail_dir) if resident.email in (m["to"] or "")]
    assert any("Le financement est trouvé" in m["subject"] for m in news_mails)
