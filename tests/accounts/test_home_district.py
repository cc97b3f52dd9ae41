"""A resident declares the arrondissement they live in (the participatory budget's ballot asks for it): any form of
a number from 1 to 20 is kept on the account; anything else is refused in French and changes nothing."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from accounts.services import declare_home_district
from core.models import District


@pytest.mark.parametrize(("given", "number"), [("1", 1), (1, 1), ("20", 20), (" 7 ", 7), (18, 18)])
def test_an_arrondissement_from_1_to_20_is_kept_on_the_account(resident, given, number):
    declare_home_district(resident, given)
    resident.refresh_from_db()
    assert resident.home_district == District.objects.get(number=number)


@pytest.mark.parametrize("given", ["0", "21", 21, "-3", "quinze", "", None, True, "1.5", [5]])
def test_anything_else_is_refused_in_french_and_the_account_keeps_its_arrondissement(resident, given):
    declare_home_district(resident, 4)
    with translation.override("fr"), pytest.raises(ValidationError) as refused:
        declare_home_district(resident, given)
    with translation.override("fr"):
        assert refused.value.message_dict == {"home_district": ["Choisissez un arrondissement de 1 à 20."]}
    resident.refresh_from_db()
    assert resident.home_district.number == 4
