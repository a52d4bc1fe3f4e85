// Manual / yearly backfill of the LTV feature history, one node per month.
// Scripted on purpose: the month list is computed.

properties([
  parameters([
    string(name: 'YEAR', defaultValue: '2023'),
    booleanParam(name: 'DRY_RUN', defaultValue: true)
  ]),
  pipelineTriggers([cron('@annually')])
])

def months = (1..12).collect { String.format('%02d', it) }
def jobs = [:]

months.each { m ->
  jobs["month-${m}"] = {
    node('cpu') {
      checkout scm
      retry(3) {
        sh "make -C ltv backfill MONTH=${params.YEAR}-${m} DRY_RUN=${params.DRY_RUN}"
      }
    }
  }
}

stage('Backfill') {
  parallel jobs
}