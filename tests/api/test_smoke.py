async def test_project_query(api):
    data = await api.gql("{ project { id name restoreBehavior entitlements { identifier } } }")
    assert data["project"]["name"] == "test"
    assert data["project"]["restoreBehavior"] == "TRANSFER"
