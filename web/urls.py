"""Every URL of the app (the permission matrix test walks this list)."""

from django.contrib import admin
from django.contrib.auth import views as auth
from django.urls import path

from web import views_coach, views_files, views_misc, views_sim, views_week

urlpatterns = [
    path("", views_misc.home, name="home"),
    path("login/", auth.LoginView.as_view(template_name="web/login.html"), name="login"),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    path("language/", views_misc.language, name="language"),
    path("weeks/", views_week.week_list, name="weeks"),
    path("weeks/<int:pk>/", views_week.week_view, name="week"),
    path("weeks/<int:pk>/upload/", views_week.upload, name="upload"),
    path("weeks/<int:pk>/tables/<str:stem>/", views_week.table, name="table"),
    path("weeks/<int:pk>/settings/", views_week.scenario_settings, name="settings"),
    path("weeks/<int:pk>/plan/", views_week.plan, name="plan"),
    path("jobs/<int:pk>/", views_week.job_status, name="job"),
    path("versions/<int:pk>/change/", views_week.change, name="change"),
    path("versions/<int:pk>/publish/", views_week.publish, name="publish"),
    path("versions/<int:pk>/day/<str:day>/", views_files.day_map, name="day_map"),
    path("versions/<int:pk>/files/<str:name>", views_files.download, name="download"),
    path("versions/<int:pk>/sheets/<str:van>/<str:day>.pdf", views_files.sheet_pdf, name="sheet_pdf"),
    path("audit/", views_misc.audit, name="audit"),
    path("feeds/", views_misc.feeds, name="feeds"),
    path("feeds/<int:pk>/revoke/", views_misc.revoke, name="revoke"),
    path("kpi/", views_misc.kpi, name="kpi"),
    path("simulations/", views_sim.simulations, name="simulations"),
    path("simulations/<int:pk>/", views_sim.simulation, name="simulation"),
    path("simulations/<int:pk>/report/", views_sim.report, name="report"),
    path("simulations/<int:pk>/kpis.csv", views_sim.kpis, name="kpis"),
    path("simulations/jobs/<int:pk>/", views_sim.job_status, name="sim_job"),
    path("coach/", views_coach.home, name="coach"),
    path("coach/<int:pk>/stops/<str:rid>/", views_coach.stop, name="coach_stop"),
    path("coach/<int:pk>/day/<str:day>/", views_coach.day_map, name="coach_map"),
    path("calendar/<str:token>.ics", views_coach.feed, name="feed"),
    path("admin/", admin.site.urls),
]
