// Script Path of the "ltv-nightly" job: jenkins/nightly.groovy
// (the repo root Jenkinsfile is the PR pipeline, this one is the schedule)

pipeline {
    agent { label 'cpu-large' }

    triggers {
        cron('''
            # 01:xx every day
            H 1 * * *
        ''')
    }

    options {
        retry(2)
        timeout(time: 3, unit: 'HOURS')
    }

    stages {
        stage('Extract') {
            steps {
                sh 'python jobs/extract.py --since 2d --out data/raw/orders.parquet'
            }
        }
        stage('Features') {
            steps {
                sh 'make -C ltv features'
            }
        }
        stage('Train') {
            steps {
                sh 'make -C ltv train'
            }
        }
        stage('Ship') {
            steps {
                sh 'aws s3 cp ltv/models/ltv.joblib s3://ltv-models/nightly/ltv.joblib'
            }
        }
    }
}
