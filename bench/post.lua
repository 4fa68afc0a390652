-- A questionnaire step submitted as a browser without JavaScript would (CSRF cookie and token).
wrk.method = "POST"
wrk.body = os.getenv("BENCH_BODY")
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = "csrftoken=" .. os.getenv("BENCH_CSRF")
wrk.headers["X-CSRFToken"] = os.getenv("BENCH_CSRF")
wrk.headers["Referer"] = os.getenv("BENCH_ORIGIN") .. "/questionnaire/"
dofile(os.getenv("BENCH_DIR") .. "/report.lua")
