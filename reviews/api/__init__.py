"""The REST API's resources (issue 16): serializers and views per feature, with the same feature
names as the other layers, on the plumbing of the api app (tokens, scopes, problems, idempotency).
Each view fetches through reviews.permissions and calls the same selectors and services as the
pages: no rule is written twice."""
