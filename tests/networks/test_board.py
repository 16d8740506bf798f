"""A themed network's discussion board: members post and reply, the coordinator hides and
removes posts with a reason, Markdown is rendered safely; where the city's own platform
is configured the board is a link there instead."""

import pytest
from sqlalchemy import select

from lahti_pool.core.errors import InvalidTransition, NotPermitted
from lahti_pool.core.models import utcnow
from lahti_pool.extensions import db
from lahti_pool.networks import board
from lahti_pool.networks.models import BoardPost, PostStatus


def test_member_posts_and_another_replies(client, make_member, network):
    author, replier = make_member(name="Aino Author"), make_member(name="Reko Replier")
    client.login(author)
    response = client.post(
        f"/networks/{network.id}/board", data={"body": "How do you **onboard** new HR staff?"}
    )
    assert response.status_code == 302
    post = db.session.scalar(select(BoardPost))
    client.login(replier)
    client.post(
        f"/networks/{network.id}/board", data={"body": "With a buddy.", "parent_id": post.id}
    )
    page = client.get(f"/networks/{network.id}/board").get_data(as_text=True)
    assert "<strong>onboard</strong>" in page
    assert "With a buddy." in page and "Reko Replier" in page


@pytest.mark.parametrize(
    "body",
    [
        "<script>alert(1)</script>",
        "[click](javascript:alert(1))",
        '<img src=x onerror="alert(1)">',
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
    ],
)
def test_markdown_is_rendered_without_active_content(body):
    html = str(board.render_post(body))
    assert "<script" not in html and "<img" not in html  # shown as text, if at all
    assert "href=" not in html  # an unsafe link stays plain text


def test_links_in_posts_open_without_leaking_the_page():
    html = str(board.render_post("[city](https://www.lahti.fi)"))
    assert 'href="https://www.lahti.fi"' in html and "noopener" in html


def test_a_posts_headings_stay_below_the_pages_own():
    html = str(board.render_post("# Big title"))
    assert "<h1>" not in html and "<h3>Big title</h3>" in html


def test_a_non_member_cannot_read_or_post(client, other_staff, network):
    client.login(other_staff)
    assert client.get(f"/networks/{network.id}/board").status_code == 403
    assert client.post(f"/networks/{network.id}/board", data={"body": "hi"}).status_code == 403
    assert db.session.scalar(select(BoardPost)) is None


def test_empty_post_gets_a_message_and_nothing_is_stored(client, make_member, network):
    client.login(make_member())
    response = client.post(f"/networks/{network.id}/board", data={"body": "   "})
    assert response.status_code == 400
    assert db.session.scalar(select(BoardPost)) is None


def test_coordinator_hides_then_removes_a_post_with_a_reason(
    client, coordinator, make_member, network
):
    member = make_member()
    post = board.post(member, network, "Off-topic advert", utcnow())
    db.session.commit()
    client.login(member)
    assert client.post(f"/networks/posts/{post.id}/hide", data={"reason": "x"}).status_code == 403
    client.login(coordinator)
    client.post(f"/networks/posts/{post.id}/hide", data={"reason": "Advertising"})
    db.session.refresh(post)
    assert post.status == PostStatus.HIDDEN and post.body == "Off-topic advert"
    client.login(member)
    page = client.get(f"/networks/{network.id}/board").get_data(as_text=True)
    assert "Hidden by the coordinator: Advertising" in page and "Off-topic advert" not in page
    client.login(coordinator)
    # a bare POST only shows the confirmation page
    assert client.post(f"/networks/posts/{post.id}/remove").status_code == 200
    db.session.refresh(post)
    assert post.status == PostStatus.HIDDEN
    client.post(f"/networks/posts/{post.id}/remove", data={"confirmed": "yes"})
    db.session.refresh(post)
    assert post.status == PostStatus.REMOVED and post.body == ""


def test_hiding_needs_a_reason(client, coordinator, make_member, network):
    post = board.post(make_member(), network, "Text", utcnow())
    db.session.commit()
    client.login(coordinator)
    response = client.post(
        f"/networks/posts/{post.id}/hide", data={"reason": ""}, follow_redirects=True
    )
    assert "Say why the post is hidden." in response.get_data(as_text=True)
    db.session.refresh(post)
    assert post.status == PostStatus.VISIBLE


def test_a_hidden_post_takes_no_replies(coordinator, make_member, network):
    member = make_member()
    post = board.post(member, network, "Text", utcnow())
    board.hide(coordinator, post, "Off topic")
    with pytest.raises(InvalidTransition):
        board.post(member, network, "Reply", utcnow(), parent_id=post.id)


def test_configured_platform_replaces_the_board(client, admin, make_member, network):
    client.login(admin)
    client.post(
        f"/admin/networks/{network.id}",
        data={"description": "", "board_url": "https://yhteiso.lahti.fi/hr"},
    )
    member = make_member()
    client.login(member)
    page = client.get(f"/networks/{network.id}/board").get_data(as_text=True)
    assert 'href="https://yhteiso.lahti.fi/hr"' in page
    assert 'name="body"' not in page
    with pytest.raises(InvalidTransition):
        board.post(member, network, "Here anyway", utcnow())


def test_only_the_coordinator_moderates(make_member, network):
    member = make_member()
    post = board.post(member, network, "Text", utcnow())
    with pytest.raises(NotPermitted):
        board.hide(member, post, "mine")
