"""Demo data (演示数据): the demo 街道 that ``make run`` shows (:mod:`app.demo.seed`) and, on
request, a year of hazards at scale for dashboards and benchmarks (:mod:`app.demo.bulk`)."""
