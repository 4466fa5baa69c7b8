from django.urls import path

from marketplace.commerce import views

app_name = "commerce"

urlpatterns = [
    path("stripe/webhook/", views.stripe_webhook, name="stripe-webhook"),
    path("stripe/connect-webhook/", views.stripe_connect_webhook, name="stripe-connect-webhook"),
    path("checkout/buy/", views.checkout_buy, name="checkout-buy"),
    path("checkout/success/", views.checkout_success, name="checkout-success"),
    path("checkout/cancelled/", views.checkout_cancelled, name="checkout-cancelled"),
    path("library/", views.library, name="library"),
    path("downloads/<str:token>/", views.download_file, name="download-file"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/sales.csv", views.dashboard_csv, name="dashboard-csv"),
    path("payouts/start/", views.connect_start, name="connect-start"),
    path("payouts/refresh/", views.connect_refresh, name="connect-refresh"),
    path("payouts/return/", views.connect_return, name="connect-return"),
    path("reviews/", views.review_post, name="review"),
]
