"""三员分立 as a pure rule."""

from itertools import combinations

import pytest

from chengguan.accounts.roles import ADMIN_ROLES, Role, check_role_combination, parse_roles
from chengguan.core.errors import DomainError


@pytest.mark.parametrize("pair", list(combinations(sorted(ADMIN_ROLES), 2)))
def test_no_one_may_hold_two_administrator_roles(pair):
    with pytest.raises(DomainError, match="三员分立"):
        check_role_combination(set(pair))


def test_one_administrator_role_with_work_roles_is_allowed():
    check_role_combination({Role.AUDIT_ADMIN, Role.LEADER})
    check_role_combination({Role.OPERATOR, Role.SHIFT_LEADER, Role.DISPATCHER})


def test_unknown_role_is_refused_with_its_name():
    with pytest.raises(DomainError, match="boss"):
        parse_roles(["operator", "boss"])
