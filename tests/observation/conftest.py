"""The observation tests share the world of test_observation (a cadre in a
副科级 post with a 基本称职 year, and a lower post)."""

from tests.observation.test_observation import world  # noqa: F401
