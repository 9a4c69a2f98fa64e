def test_county_and_personas(personas, county, make_cadre):
    c = make_cadre(county.town, name="李娜", sex="female")
    assert c.name_initials == "ln"
