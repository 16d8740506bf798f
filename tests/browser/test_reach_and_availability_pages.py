"""The reach and availability reports in a real browser, checked with axe (WCAG 2.1 AA):
tables with captions and headers, the year filter, and the heat map as an image with a
text alternative beside its table."""

from lahti_dev.demo import DEMO_PASSWORD
from lahti_dev.scale import generate_city
from lahti_pool.core import versions


def test_the_reach_and_availability_reports_are_accessible(visitor, ctx, today):
    generate_city(factor=0.002, seed=7, today=today)
    versions.clear()
    visitor.login("reports@city.example.fi", DEMO_PASSWORD)
    page = visitor.page

    visitor.goto("/reports/reach")
    if page.locator("html").get_attribute("lang") != "en":  # the city's people read Finnish
        page.get_by_role("button", name="In English").click()
        page.wait_for_load_state()
    assert page.get_by_role("heading", name="Reach of supervision").is_visible()
    assert page.locator("caption", has_text="By job group").count() == 1
    assert page.locator("caption", has_text="By unit").count() == 1
    # Choose the previous school year with the labelled select, by keyboard.
    years = page.get_by_label("School year", exact=True)
    options = years.locator("option").all_inner_texts()
    assert len(options) >= 2
    years.select_option(label=options[1])
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state()
    visitor.check()
    assert page.get_by_role("heading", name=f"School year {options[1]}").is_visible()

    visitor.goto("/reports/availability")
    heat_map = page.get_by_role("img", name="Unused on-duty slots by weekday and hour")
    assert heat_map.is_visible()
    table = page.locator("table", has=page.locator("caption", has_text="by weekday and starting"))
    assert table.is_visible()
    assert table.locator("th[scope=row]").first.inner_text() == "Monday"
