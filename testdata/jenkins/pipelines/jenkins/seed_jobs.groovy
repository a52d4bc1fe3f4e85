// Job DSL seed script (run by the "seed" job with the Job DSL plugin).
// Creates the ML folder and its jobs; do not edit the jobs in the UI.

folder('ml') {
    displayName('ML pipelines')
}

pipelineJob('ml/ltv-nightly') {
    definition {
        cpsScm {
            scm {
                git {
                    remote { url('git@git.example.com:ml/ltv.git') }
                    branch('main')
                }
            }
            scriptPath('jenkins/nightly.groovy')
        }
    }
}

job('ml/score-ltv') {
    label('cpu')
    triggers {
        cron('H 5 * * *')
    }
    steps {
        shell('make -C ltv score')
        shell('aws s3 cp ltv/out/scores.parquet s3://ltv-scores/daily/scores.parquet')
    }
    publishers {
        downstream('ml/ltv-report', 'SUCCESS')
        retryBuild {
            retryLimit(2)
            fixedDelay(300)
        }
    }
}

job('ml/ltv-report') {
    steps {
        shell('python reports/ltv_report.py --in ltv/out/scores.parquet --out reports/ltv.html')
    }
}
